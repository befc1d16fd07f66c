import { HttpException, ServiceUnavailableException } from '@nestjs/common';
import { ErrorCode, ErrorStatus } from './error-catalogue';
import { vaultError, VaultError } from './vault-error';

export interface ErrorResponse {
  status: ErrorStatus;
  body: { error: ErrorCode; message: string; [detail: string]: unknown };
  headers: Readonly<Record<string, string>>;
  /** The error is the vault's own fault, not the caller's: worth a log line. */
  unexpected: boolean;
}

/** Fastify's own refusals, raised before a route runs, in the vault's words. */
const FASTIFY_ERRORS: Readonly<Record<string, readonly [ErrorCode, string]>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ['payload_too_large', 'the request body is too large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['unsupported_media_type', 'send the body as application/json'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['invalid_request', 'the Content-Length does not match the body'],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['invalid_request', 'the JSON body is empty'],
  FST_ERR_CTP_INVALID_JSON_BODY: ['invalid_json', 'the body is not valid JSON'],
  FST_ERR_CTP_EMPTY_TYPE: ['unsupported_media_type', 'the Content-Type header is empty'],
  FST_ERR_CTP_INVALID_TYPE: ['unsupported_media_type', 'the Content-Type header is not valid'],
};

/**
 * The code for a 4xx a library raised with a status alone. Each is the code's own status in the catalogue; any other
 * 4xx is answered as 400 invalid_request, so that a code is never answered with two statuses.
 */
const HTTP_CODES: Readonly<Partial<Record<number, ErrorCode>>> = {
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
  if (typeof code === 'string' && Object.hasOwn(FASTIFY_ERRORS, code)) return vaultError(...FASTIFY_ERRORS[code]);
  if (error instanceof SyntaxError || (error as { name?: unknown })?.name === 'SyntaxError') {
    return vaultError('invalid_json', 'the body is not valid JSON');
  }
  return error;
}

/**
 * One mapping from anything thrown to the `{error, message}` a caller sees, with the code's own status. A message is
 * only ever taken from the vault's own errors or from a fixed table: library messages can carry what the request
 * carried.
 */
export function toErrorResponse(thrown: unknown): ErrorResponse {
  const error = fromFastifyError(thrown);
  if (error instanceof VaultError) return responseOf(error);
  if (error instanceof ServiceUnavailableException) {
    // Terminus reports a failed readiness check this way, with the state of each indicator: keep it for ops.
    const details = error.getResponse();
    const extra = typeof details === 'object' && details !== null ? details : {};
    const response = responseOf(vaultError('not_ready', `the vault cannot serve tokens now: ${notReadyBecause(extra)}`));
    // A probe's answer, not a fault: the store's connection logs its outage, the clients file's watcher its problem.
    return { ...response, body: { ...extra, ...response.body }, unexpected: false };
  }
  const status = statusOf(error);
  if (status >= 400 && status < 500) {
    const code = HTTP_CODES[status] ?? 'invalid_request';
    return responseOf(vaultError(code, code === 'not_found' ? 'no such route' : `the request was refused (${code.replace(/_/g, ' ')})`));
  }
  return responseOf(vaultError('internal_error', 'the vault failed unexpectedly; see its logs'));
}

/** The readiness indicators that are down, in words; the store when none is named. */
const NOT_READY_REASONS: Readonly<Record<string, string>> = {
  store: 'its store does not answer',
  clientsFile: 'its clients file cannot be used',
};

function notReadyBecause(details: object): string {
  const down = (details as { error?: unknown }).error;
  const named = typeof down === 'object' && down !== null ? Object.keys(down).filter((name) => Object.hasOwn(NOT_READY_REASONS, name)) : [];
  return (named.length > 0 ? named : ['store']).map((name) => NOT_READY_REASONS[name]).join('; ');
}

/** Known outages, each logged where it is found, once per interval, not once per request. */
const LOGGED_ELSEWHERE: ReadonlySet<string> = new Set(['store_unavailable', 'clients_file_unusable']);

function responseOf(error: VaultError): ErrorResponse {
  const unexpected = error.status >= 500 && !LOGGED_ELSEWHERE.has(error.code);
  return { status: error.status, body: { error: error.code, message: error.message }, headers: error.headers, unexpected };
}

function statusOf(error: unknown): number {
  if (error instanceof HttpException) return error.getStatus();
  const status = (error as { statusCode?: unknown; status?: unknown })?.statusCode ?? (error as { status?: unknown })?.status;
  return typeof status === 'number' ? status : 500;
}
