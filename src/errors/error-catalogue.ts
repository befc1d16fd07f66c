/** What the catalogue says of a code: the one status it is answered with, and headers every answer with it carries. */
export interface ErrorDefinition {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Every error code the vault answers with, JSON or page, and its HTTP status: the one place either is written. A
 * code is built only from here (`VaultError`), and the OpenAPI decorators take only these codes, so a route cannot
 * document a code that does not exist nor a status its code never has. README's table of error codes lists the same.
 */
export const ERRORS = {
  // The request itself
  invalid_request: { status: 400 },
  invalid_json: { status: 400 },
  invalid_url: { status: 400 },
  bad_http_request: { status: 400 },
  invalid_client_id: { status: 400 },
  invalid_forwarded_for: { status: 400 },
  invalid_last_event_id: { status: 400 },
  broker_not_enabled: { status: 400 },
  method_not_allowed: { status: 405 },
  not_acceptable: { status: 406 },
  request_timeout: { status: 408 },
  payload_too_large: { status: 413 },
  uri_too_long: { status: 414 },
  unsupported_media_type: { status: 415 },
  headers_too_large: { status: 431 },
  not_found: { status: 404 },

  // Who asks
  unauthorized: { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="token-vault"' } },
  // Its challenge depends on ADMIN_AUTH (Basic, or none behind a sign-on proxy), so each refusal adds its own.
  operator_unauthorized: { status: 401 },
  forbidden: { status: 403 },
  // Retry-After is the seconds left in the window, added by each refusal.
  rate_limited: { status: 429 },
  too_many_requests: { status: 429 },

  // Tokens
  token_not_found: { status: 404 },
  account_not_allowed: { status: 403 },
  token_rejected: { status: 422 },
  token_expired: { status: 422 },
  token_unreadable: { status: 500 },

  // The login callback
  state_missing: { status: 400 },
  state_unknown: { status: 400 },
  login_state_mismatch: { status: 400 },
  code_missing: { status: 400 },
  login_cancelled: { status: 400 },
  login_refused: { status: 400 },
  state_replayed: { status: 409 },
  code_already_used: { status: 409 },

  // Pocketful
  broker_rejected: { status: 502 },
  broker_unavailable: { status: 502 },
  broker_malformed_response: { status: 502 },
  broker_timeout: { status: 504 },

  // The vault itself
  store_unavailable: { status: 503 },
  audit_unavailable: { status: 503 },
  clients_file_unusable: { status: 503 },
  not_ready: { status: 503 },
  shutting_down: { status: 503 },
  internal_error: { status: 500 },
} as const satisfies Readonly<Record<string, ErrorDefinition>>;

export type ErrorCode = keyof typeof ERRORS;

/** The statuses the vault answers errors with. */
export type ErrorStatus = (typeof ERRORS)[ErrorCode]['status'];

export const ERROR_CODES = Object.keys(ERRORS) as readonly ErrorCode[];

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

export function statusOfCode(code: ErrorCode): ErrorStatus {
  return ERRORS[code].status;
}

/** The headers every answer with this code carries (none for most). */
export function headersOfCode(code: ErrorCode): Readonly<Record<string, string>> {
  const definition: ErrorDefinition = ERRORS[code];
  return definition.headers ?? NO_HEADERS;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERRORS, value);
}
