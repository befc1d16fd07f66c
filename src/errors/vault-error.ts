import { ErrorCode, ErrorStatus, headersOfCode, statusOfCode } from './error-catalogue';

/**
 * An error a caller can act on: a stable machine-readable `code` from the catalogue, which fixes its HTTP status,
 * and a message for a person. Messages are written where the facts are known, never copied from a library's error,
 * so that no secret a library put in its message can reach a response or a log.
 */
export class VaultError extends Error {
  readonly status: ErrorStatus;
  /** The code's own headers, and any this answer adds (Retry-After, a challenge). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly code: ErrorCode,
    message: string,
    headers?: Readonly<Record<string, string>>,
  ) {
    // An answer, not a fault: its stack is never shown or logged, and capturing one would be most of what a refusal
    // costs a client that keeps retrying past its limit.
    const depth = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = depth;
    this.name = 'VaultError';
    this.status = statusOfCode(code);
    this.headers = headers === undefined ? headersOfCode(code) : { ...headersOfCode(code), ...headers };
  }
}

export const vaultError = (code: ErrorCode, message: string, headers?: Readonly<Record<string, string>>) => new VaultError(code, message, headers);

export const invalidRequest = (message: string) => vaultError('invalid_request', message);

export const invalidClientId = (message = 'the client id must be 1 to 32 letters, digits, "-" or "_", such as YA0002') =>
  vaultError('invalid_client_id', message);

export const unauthorized = () => vaultError('unauthorized', 'a valid service key is required: Authorization: Bearer <key>');

export const forbidden = (message: string) => vaultError('forbidden', message);

/** `loginPath`: the account's broker's login page (`/zerodha/login`), which the caller knows and errors/ does not. */
export const tokenNotFound = (clientId: string, loginPath: string) =>
  vaultError('token_not_found', `no live token is stored for ${clientId}; someone must log in at ${loginPath}`);

export const accountNotAllowed = (clientId: string) =>
  vaultError('account_not_allowed', `account ${clientId} is not in ALLOWED_CLIENT_IDS; nothing was stored`);

export const storeUnavailable = () => vaultError('store_unavailable', 'the token store is not answering; try again shortly');

export const auditUnavailable = () =>
  vaultError('audit_unavailable', 'the audit trail cannot be written, so no token is served; try again shortly');

/**
 * A service key while the replica has been unable to use its clients file for longer than the grace: who holds which
 * key is not known.
 */
export const clientsFileUnusable = (reason: string) => vaultError('clients_file_unusable', reason);

export const shuttingDown = () => vaultError('shutting_down', 'this replica is shutting down; ask again, and another replica answers');
