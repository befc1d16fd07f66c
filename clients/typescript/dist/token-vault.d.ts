import { EventsOptions, TokenEvents } from './token-events';
import { InvalidReport, VaultToken } from './vault-answers';
import { CertificateAuthority } from './vault-http';
export interface TokenVaultClientOptions {
    /** Where the vault listens, such as `http://vault:5000` (a path in front of `/v1` is kept). */
    url: string;
    /** This service's key (`tvk_…`), sent as `Authorization: Bearer …`; never logged, never in an error. */
    serviceKey: string;
    /**
     * With an https URL: the PEM certificate(s) of the CA that signed the vault's certificate (a desk's own CA). This
     * client then trusts those alone, not the public CAs.
     */
    ca?: CertificateAuthority;
    /** A cached token is fetched again this many seconds before it expires. Default 60. */
    refreshMarginSeconds?: number;
    /** Time limit of one request in ms; a request that waits for a login gets its wait on top. Default 10000. */
    timeoutMs?: number;
    /** How often a `429` is retried, sleeping what Retry-After says, at most `maxRetryWaitSeconds` each. Default 3. */
    maxRetries?: number;
    /** Default 5. */
    maxRetryWaitSeconds?: number;
    /** The longest wait asked of the vault in one request; longer waits take several. The vault allows 55. */
    longestWaitSeconds?: number;
    /** `events()`: a stream silent this long (no event, no heartbeat) is opened again. Default 60 (the vault pings every 15). */
    eventsIdleSeconds?: number;
    /** A monotonic clock in ms, for tests to move. Default `performance.now`. */
    clock?: () => number;
}
export interface TokenOptions {
    /** The account's broker (`zerodha`), when the account does not name it (`zerodha:AB1234`). */
    broker?: string;
    /**
     * Seconds to wait for a token when none is stored yet (the morning login): the vault answers as soon as one is
     * stored. Without it, no token is `token_not_found` at once.
     */
    wait?: number;
}
export interface ReportOptions {
    /** The account's broker, as for `token()`. */
    broker?: string;
}
/** What `fromEnv` reads. */
export type Environment = Record<string, string | undefined>;
/**
 * Reads brokers' access tokens from token-vault.
 *
 * `token()` hands out a cached token until `refreshMarginSeconds` before it expires, then asks the vault again;
 * callers asking at the same moment share one request. When that refresh fails for want of an answer (no answer,
 * a timeout, a 5xx, or 429 past its retries), the cached token is still handed out if it has not expired, and an
 * expired token never is. When the vault answers that there is no token (404), or that this key may not have it
 * (401, 403), the cached token is dropped and the error thrown. A stream of `events()` drops the cached token of
 * an account whose token was replaced or removed, before it hands the event on.
 */
export declare class TokenVault {
    private readonly http;
    private readonly cache;
    private readonly clock;
    private readonly longestWaitSeconds;
    private readonly eventsIdleMs;
    private readonly inFlight;
    constructor(options: TokenVaultClientOptions);
    /**
     * A client configured by the environment: `VAULT_URL`, `VAULT_KEY`, and with a desk's own CA, `VAULT_CA_FILE` (the
     * path of its PEM certificate). `options` set the rest, and win over the environment.
     */
    static fromEnv(options?: Partial<TokenVaultClientOptions>, env?: Environment): TokenVault;
    /**
     * The live token of an account (`YA0002`, `zerodha:AB1234`, or `AB1234` with `{ broker: 'zerodha' }`), from the
     * cache or the vault. Throws a VaultError when there is none to give.
     */
    token(account: string, options?: TokenOptions): Promise<VaultToken>;
    /**
     * Tells the vault that the broker refused this account's token. The cached token is dropped first, whatever the
     * vault answers; the answer says whether the vault found it dead (and removed it) or alive.
     */
    reportInvalid(account: string, options?: ReportOptions): Promise<InvalidReport>;
    /**
     * `GET /v1/events` as an async iterator of the accounts' token events, resumed across dropped connections with
     * `Last-Event-ID`, a `reset` when the vault could not replay. Iterate it once; end it with `break` or `close()`.
     */
    events(options?: EventsOptions): TokenEvents;
    /** What an event makes stale: the cached tokens, and the requests in flight, which later callers must not join. */
    private readonly stale;
    /** One request for an account at a time: the callers of a refresh share its answer. */
    private shared;
    /** Waits of up to 55 s each until a token is stored or `seconds` have passed. */
    private waitFor;
    private fetch;
}
/** The name this client had first; the same class. */
export declare const TokenVaultClient: typeof TokenVault;
export type TokenVaultClient = TokenVault;
