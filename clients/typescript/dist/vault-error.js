"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.VaultError = void 0;
/**
 * What the vault refused, or why it could not be asked.
 *
 * `status` is the HTTP status, or 0 when no answer came. `error` is the vault's stable code (`token_not_found`,
 * `rate_limited`, `forbidden`, …) or one of the client's own: `network_error`, `timeout`, `unexpected_response`.
 * Neither the service key nor a token is ever part of it.
 */
class VaultError extends Error {
    status;
    error;
    retryAfter;
    name = 'VaultError';
    constructor(status, error, message, 
    /** Seconds the vault asked to wait before trying again (with 429), when it said. */
    retryAfter) {
        super(message);
        this.status = status;
        this.error = error;
        this.retryAfter = retryAfter;
    }
    /** Asking again later may succeed: no answer, a 5xx, or 429. Anything else is the vault's considered answer. */
    get temporary() {
        return this.status === 0 || this.status === 429 || this.status >= 500;
    }
}
exports.VaultError = VaultError;
