import { VaultHttp } from './vault-http';
export type TokenEventType = 'token.stored' | 'token.removed' | 'token.expiring';
/** Something that happened to an account's token. Never the token itself: read it with `token()`. */
export interface TokenEvent {
    /** `token.stored` (a login or an import: a new token), `token.removed`, `token.expiring` (an expiry alert fell due). */
    type: TokenEventType;
    /** The vault's id of the event: keep it to resume after it, `events({ lastEventId })`. */
    id: string;
    /** The account, as the vault writes it: `YA0002` for the default broker's, `zerodha:AB1234` for another's. */
    clientId: string;
    /** The token's expiry; null for a deleted token the vault could not read before it went. */
    expiresAt: Date | null;
    /** When the vault saw it happen. */
    at: Date;
    /** `token.removed`: `deleted`, `invalid` (the broker refused it) or `expired`. */
    reason?: 'deleted' | 'invalid' | 'expired';
}
/**
 * The vault could not replay what came after the last event this stream had: events may have been missed. Read
 * again the tokens you hold (the client has already dropped its cached ones). Live events follow.
 */
export interface ResetEvent {
    type: 'reset';
}
export type VaultEvent = TokenEvent | ResetEvent;
export interface EventsOptions {
    /** Only these accounts' events (as the vault writes them: `YA0002`, `zerodha:AB1234`); every one the key may read when absent. */
    accounts?: readonly string[];
    /** Resume after this event id (one a previous run kept), instead of starting with what happens from now on. */
    lastEventId?: string;
    /** Ends the stream, as `close()` does. */
    signal?: AbortSignal;
}
/** What the stream tells the client's cache, before the event is handed on. */
export interface CacheHooks {
    dropAccount(clientId: string): void;
    dropAll(): void;
}
export interface StreamSettings {
    /** A stream that brings nothing (not even the vault's heartbeat) for this long is taken as dead, and opened again. */
    idleTimeoutMs: number;
    /** The longest pause before opening again, however often it failed. */
    longestReconnectMs: number;
}
/**
 * `GET /v1/events` as an async iterator that does not end while the vault can be reached: when the stream drops (a
 * replica restarting, a proxy cutting it, silence past `idleTimeoutMs`), it is opened again with `Last-Event-ID`,
 * after the vault's `retry:` pause (longer after each failed attempt, and as long as a 429's Retry-After), and the
 * vault replays what came in between. An event it already handed out is never handed out again. When the vault
 * cannot replay, it says `reset`, and so does the iterator. It ends with `close()`, `break`, the signal, or a
 * VaultError the vault will not change its mind on (a key it refuses, 4xx).
 */
export declare class TokenEvents implements AsyncIterable<VaultEvent> {
    #private;
    private readonly http;
    private readonly cache;
    private readonly settings;
    private readonly accounts;
    private readonly stop;
    private reconnectMs;
    private iterated;
    constructor(http: VaultHttp, cache: CacheHooks, settings: StreamSettings, options?: EventsOptions);
    /** The id of the last event the stream brought (of any account): where a new `events({ lastEventId })` resumes. */
    get lastEventId(): string | null;
    /** Ends the stream: a pending `next()` ends the iteration, and the connection is closed. */
    close(): void;
    [Symbol.asyncIterator](): AsyncIterator<VaultEvent>;
    private get closed();
    private run;
    private open;
    /** One connection's events, until it ends, drops or falls silent. */
    private read;
    /** What a message means to the caller, the cache told first; null for what it need not see. */
    private taken;
    /** After failures in a row: the vault's pause, doubled each time, up to the longest. */
    private backoff;
    private pause;
}
