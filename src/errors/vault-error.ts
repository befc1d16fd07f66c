/**
 * An error a caller can act on: a stable machine-readable `code`, a message for a person, and the HTTP status
 * it maps to. Messages are written here, from known facts, never copied from a library's error, so that no
 * secret a library put in its message can reach a response or a log.
 */
export class VaultError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    /** Headers the answer must carry, such as Retry-After or WWW-Authenticate. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    // An answer, not a fault: its stack is never shown or logged. Capturing it was the largest cost of the vault's own
    // code in a flood of refused requests (a profile of a client retrying past its limit).
    const depth = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = depth;
    this.name = 'VaultError';
  }
}

export const invalidRequest = (message: string) => new VaultError('invalid_request', message, 400);

export const invalidClientId = () =>
  new VaultError('invalid_client_id', 'the client id must be 1 to 32 letters, digits, "-" or "_", such as YA0002', 400);

export const unauthorized = (message = 'a valid service key is required: Authorization: Bearer <key>') =>
  new VaultError('unauthorized', message, 401, { 'WWW-Authenticate': 'Bearer realm="token-vault"' });

export const forbidden = (message: string) => new VaultError('forbidden', message, 403);

export const tokenNotFound = (clientId: string) =>
  new VaultError('token_not_found', `no live token is stored for ${clientId}; someone must log in at /pocketful/login`, 404);

export const accountNotAllowed = (clientId: string) =>
  new VaultError('account_not_allowed', `account ${clientId} is not in ALLOWED_CLIENT_IDS; nothing was stored`, 403);

export const storeUnavailable = () =>
  new VaultError('store_unavailable', 'the token store is not answering; try again shortly', 503);
