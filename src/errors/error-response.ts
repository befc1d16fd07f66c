import { HttpException, ServiceUnavailableException } from '@nestjs/common';
import { VaultError } from './vault-error';

export interface ErrorResponse {
  status: number;
  body: { error: string; message: string; [detail: string]: unknown };
  headers: Readonly<Record<string, string>>;
  /** The error is the vault's own fault, not the caller's: worth a log line. */
  unexpected: boolean;
}

/** Fastify's own refusals, raised before a route runs, in the vault's words. */
const FASTIFY_ERRORS: Record<string, [number, string, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large', 'the request body is too large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', 'send the body as application/json'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'invalid_request', 'the Content-Length does not match the body'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'invalid_request', 'the JSON body is empty'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'invalid_json', 'the body is not valid JSON'],
  FST_ERR_CTP_EMPTY_TYPE: [415, 'unsupported_media_type', 'the Content-Type header is empty'],
  FST_ERR_CTP_INVALID_TYPE: [415, 'unsupported_media_type', 'the Content-Type header is not valid'],
};

const NO_HEADERS: Readonly<Record<string, string>> = {};

const HTTP_CODES: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
  431: 'headers_too_large',
};

/**
 * Fastify's refusals in the vault's words. Applied before Nest sees the error, because Nest turns them into a bare
 * HttpException and the reason (which limit, which header) would be lost.
 */
export function fromFastifyError(error: unknown): unknown {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && FASTIFY_ERRORS[code]) {
    const [status, errorCode, message] = FASTIFY_ERRORS[code];
    return new VaultError(errorCode, message, status);
  }
  if (error instanceof SyntaxError || (error as { name?: unknown })?.name === 'SyntaxError') {
    return new VaultError('invalid_json', 'the body is not valid JSON', 400);
  }
  return error;
}

/**
 * One mapping from anything thrown to the `{error, message}` a caller sees. A message is only ever taken from the
 * vault's own errors or from a fixed table: library messages can carry what the request carried.
 */
export function toErrorResponse(thrown: unknown): ErrorResponse {
  const error = fromFastifyError(thrown);
  if (error instanceof VaultError) {
    // A store that does not answer is logged by its connection, once per interval, not once per request.
    const unexpected = error.status >= 500 && error.code !== 'store_unavailable';
    return { status: error.status, body: { error: error.code, message: error.message }, headers: error.headers, unexpected };
  }
  if (error instanceof ServiceUnavailableException) {
    // Terminus reports a failed readiness check this way, with the state of each indicator: keep it for ops.
    const details = error.getResponse();
    const extra = typeof details === 'object' && details !== null ? details : {};
    return {
      status: 503,
      body: { ...extra, error: 'not_ready', message: 'the vault cannot serve tokens now: its store does not answer' },
      headers: NO_HEADERS,
      unexpected: false,
    };
  }
  const status = statusOf(error);
  if (status >= 400 && status < 500) {
    const code = HTTP_CODES[status] ?? 'invalid_request';
    const message = status === 404 ? 'no such route' : `the request was refused (${code.replace(/_/g, ' ')})`;
    return { status, body: { error: code, message }, headers: NO_HEADERS, unexpected: false };
  }
  return { status: 500, body: { error: 'internal_error', message: 'the vault failed unexpectedly; see its logs' }, headers: NO_HEADERS, unexpected: true };
}

function statusOf(error: unknown): number {
  if (error instanceof HttpException) return error.getStatus();
  const status = (error as { statusCode?: unknown; status?: unknown })?.statusCode ?? (error as { status?: unknown })?.status;
  return typeof status === 'number' ? status : 500;
}
