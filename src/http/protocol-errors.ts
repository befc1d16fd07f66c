import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Requests that fail before routing (a URL that does not decode, a malformed request line or header) are answered
 * by Fastify itself, in its own shape and with its own error codes. These two handlers give them the vault's
 * `{error, message}` shape like every other refusal.
 */

const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request_timeout', 'the request took too long to arrive'],
  HPE_HEADER_OVERFLOW: [431, 'headers_too_large', 'the request headers are too large'],
};

/** For Fastify's `clientErrorHandler`: the request could not even be parsed as HTTP. */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] = CLIENT_ERRORS[error.code ?? ''] ?? [400, 'bad_http_request', 'the request is not well-formed HTTP'];
  const body = JSON.stringify({ error: code, message });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** For Fastify's `frameworkErrors`: the URL did not decode, or the route could not be matched safely. */
export function answerFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const message = error.code === 'FST_ERR_BAD_URL' ? 'the URL is not validly percent-encoded' : 'the request was refused';
  const code = error.code === 'FST_ERR_BAD_URL' ? 'invalid_url' : 'invalid_request';
  reply.header('Cache-Control', 'no-store');
  reply.code(400).type('application/json; charset=utf-8').send({ error: code, message });
}
