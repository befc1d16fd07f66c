import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode } from '../errors/error-catalogue';
import { vaultError } from '../errors/vault-error';

/**
 * Requests that fail before routing (a URL that does not decode, a malformed request line or header) are answered
 * by Fastify itself, in its own shape and with its own error codes. These two handlers give them the vault's
 * `{error, message}` shape like every other refusal.
 */

const CLIENT_ERRORS: Readonly<Record<string, readonly [ErrorCode, string]>> = {
  ERR_HTTP_REQUEST_TIMEOUT: ['request_timeout', 'the request took too long to arrive'],
  HPE_HEADER_OVERFLOW: ['headers_too_large', 'the request headers are too large'],
};
const NOT_HTTP = ['bad_http_request', 'the request is not well-formed HTTP'] as const;

/** For Fastify's `clientErrorHandler`: the request could not even be parsed as HTTP. */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, code, message } = vaultError(...(CLIENT_ERRORS[error.code ?? ''] ?? NOT_HTTP));
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
  const { status, code, message } =
    error.code === 'FST_ERR_BAD_URL'
      ? vaultError('invalid_url', 'the URL is not validly percent-encoded')
      : vaultError('invalid_request', 'the request was refused');
  reply.header('Cache-Control', 'no-store');
  reply.code(status).type('application/json; charset=utf-8').send({ error: code, message });
}
