/**
 * What the vault refused, or why it could not be asked.
 *
 * `status` is the HTTP status, or 0 when no answer came. `error` is the vault's stable code (`token_not_found`,
 * `rate_limited`, `forbidden`, …) or one of the client's own: `network_error`, `timeout`, `unexpected_response`.
 * Neither the service key nor a token is ever part of it.
 */
export declare class VaultError extends Error {
    readonly status: number;
    readonly error: string;
    /** Seconds the vault asked to wait before trying again (with 429), when it said. */
    readonly retryAfter?: number | undefined;
    readonly name = "VaultError";
    constructor(status: number, error: string, message: string, 
    /** Seconds the vault asked to wait before trying again (with 429), when it said. */
    retryAfter?: number | undefined);
    /** Asking again later may succeed: no answer, a 5xx, or 429. Anything else is the vault's considered answer. */
    get temporary(): boolean;
}
