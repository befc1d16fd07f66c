"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.TokenEvents = void 0;
const account_1 = require("./account");
const server_sent_events_1 = require("./server-sent-events");
const vault_answers_1 = require("./vault-answers");
const vault_error_1 = require("./vault-error");
const TYPES = new Set(['token.stored', 'token.removed', 'token.expiring']);
const REASONS = new Set(['deleted', 'invalid', 'expired']);
/** Until the vault says otherwise (`retry:`), as an EventSource waits. */
const DEFAULT_RECONNECT_MS = 3000;
/** A `retry: 0` must not make a loop of failed attempts. */
const LEAST_RECONNECT_MS = 50;
const EVENT_ID = /^(\d{1,20})-(\d{1,20})$/;
/** Orders the vault's event ids (`<ms>-<seq>`) as the vault does; null when either is not one. */
function compareIds(left, right) {
    const a = EVENT_ID.exec(left);
    const b = EVENT_ID.exec(right);
    if (!a || !b)
        return null;
    for (const index of [1, 2]) {
        const [x, y] = [BigInt(a[index]), BigInt(b[index])];
        if (x !== y)
            return x < y ? -1 : 1;
    }
    return 0;
}
/**
 * `GET /v1/events` as an async iterator that does not end while the vault can be reached: when the stream drops (a
 * replica restarting, a proxy cutting it, silence past `idleTimeoutMs`), it is opened again with `Last-Event-ID`,
 * after the vault's `retry:` pause (longer after each failed attempt, and as long as a 429's Retry-After), and the
 * vault replays what came in between. An event it already handed out is never handed out again. When the vault
 * cannot replay, it says `reset`, and so does the iterator. It ends with `close()`, `break`, the signal, or a
 * VaultError the vault will not change its mind on (a key it refuses, 4xx).
 */
class TokenEvents {
    http;
    cache;
    settings;
    #lastEventId;
    accounts;
    stop = new AbortController();
    /** A private field: printing the stream never reaches the request in flight, which holds the key. */
    #current = null;
    reconnectMs = DEFAULT_RECONNECT_MS;
    iterated = false;
    constructor(http, cache, settings, options = {}) {
        this.http = http;
        this.cache = cache;
        this.settings = settings;
        if (options.accounts !== undefined) {
            if (!Array.isArray(options.accounts) || options.accounts.length === 0) {
                throw new TypeError('accounts must list at least one account, or be left out for every account the key may read');
            }
            this.accounts = new Set(options.accounts.map((account) => (0, account_1.canonical)(account, 'each of accounts')));
        }
        else {
            this.accounts = null;
        }
        if (options.lastEventId !== undefined && !EVENT_ID.test(options.lastEventId)) {
            throw new TypeError('lastEventId must be an event id the vault gave, such as 1795415712345-0');
        }
        this.#lastEventId = options.lastEventId ?? null;
        if (options.signal?.aborted)
            this.close();
        else
            options.signal?.addEventListener('abort', () => this.close(), { once: true });
    }
    /** The id of the last event the stream brought (of any account): where a new `events({ lastEventId })` resumes. */
    get lastEventId() {
        return this.#lastEventId;
    }
    /** Ends the stream: a pending `next()` ends the iteration, and the connection is closed. */
    close() {
        if (this.stop.signal.aborted)
            return;
        this.stop.abort();
        this.#current?.close();
    }
    [Symbol.asyncIterator]() {
        if (this.iterated)
            throw new TypeError('events() can be iterated once; call events() again for another stream');
        this.iterated = true;
        return this.run();
    }
    get closed() {
        return this.stop.signal.aborted;
    }
    async *run() {
        try {
            let failures = 0;
            while (!this.closed) {
                let answer;
                try {
                    answer = await this.open();
                }
                catch (error) {
                    if (this.closed)
                        return;
                    if (!(error instanceof vault_error_1.VaultError) || !error.temporary)
                        throw error;
                    failures += 1;
                    await this.pause(Math.max(this.backoff(failures), (error.retryAfter ?? 0) * 1000));
                    continue;
                }
                failures = 0;
                yield* this.read(answer);
                if (this.closed)
                    return;
                await this.pause(this.reconnectMs);
            }
        }
        finally {
            this.close();
        }
    }
    async open() {
        const headers = { 'cache-control': 'no-store' };
        if (this.#lastEventId !== null)
            headers['last-event-id'] = this.#lastEventId;
        const answer = await this.http.open('/v1/events', 'text/event-stream', headers, this.stop.signal);
        this.#current = answer;
        // A close() between the answer and this turn: its read then ends at once.
        if (this.closed)
            answer.close();
        return answer;
    }
    /** One connection's events, until it ends, drops or falls silent. */
    async *read(answer) {
        const reader = new server_sent_events_1.ServerSentEventsReader();
        const body = answer.body;
        body.setEncoding('utf8');
        let idle;
        const watch = () => {
            clearTimeout(idle);
            idle = setTimeout(() => answer.close(), this.settings.idleTimeoutMs);
        };
        watch();
        try {
            for await (const text of body) {
                watch();
                for (const message of reader.push(text)) {
                    const event = this.taken(message);
                    if (event)
                        yield event;
                    if (this.closed)
                        return;
                }
                if (reader.retryMs !== null)
                    this.reconnectMs = Math.max(LEAST_RECONNECT_MS, reader.retryMs);
            }
        }
        catch {
            // The connection dropped: opened again by the caller, after what it last had.
        }
        finally {
            clearTimeout(idle);
            answer.close();
            if (this.#current === answer)
                this.#current = null;
        }
    }
    /** What a message means to the caller, the cache told first; null for what it need not see. */
    taken(message) {
        if (message.event === 'reset') {
            this.cache.dropAll();
            return { type: 'reset' };
        }
        if (message.id !== null) {
            // A replay that reaches back over what was handed out already (a replica's feed behind another's): not again.
            if (this.#lastEventId !== null && (compareIds(message.id, this.#lastEventId) ?? 1) <= 0)
                return null;
            this.#lastEventId = message.id;
        }
        const event = eventOf(message);
        if (event === null)
            return null;
        if (event.type !== 'token.expiring')
            this.cache.dropAccount(event.clientId);
        return this.accounts === null || this.accounts.has(event.clientId) ? event : null;
    }
    /** After failures in a row: the vault's pause, doubled each time, up to the longest. */
    backoff(failures) {
        return Math.min(this.reconnectMs * 2 ** (failures - 1), Math.max(this.reconnectMs, this.settings.longestReconnectMs));
    }
    pause(ms) {
        if (this.closed)
            return Promise.resolve();
        return new Promise((resolve) => {
            const done = () => {
                clearTimeout(timer);
                this.stop.signal.removeEventListener('abort', done);
                resolve();
            };
            const timer = setTimeout(done, ms);
            this.stop.signal.addEventListener('abort', done, { once: true });
        });
    }
}
exports.TokenEvents = TokenEvents;
/** A token event of a type this client knows, its body as the vault writes it; null for anything else. */
function eventOf({ event, data, id }) {
    if (!TYPES.has(event) || id === null)
        return null;
    let body;
    try {
        body = JSON.parse(data);
    }
    catch {
        return null;
    }
    if (typeof body !== 'object' || body === null || typeof body.clientId !== 'string')
        return null;
    const at = (0, vault_answers_1.instantOf)(body.at);
    const expiresAt = body.expiresAt === null ? null : (0, vault_answers_1.instantOf)(body.expiresAt);
    if (at === null || (expiresAt === null && body.expiresAt !== null))
        return null;
    const taken = { type: event, id, clientId: body.clientId, expiresAt, at };
    if (typeof body.reason === 'string' && REASONS.has(body.reason))
        taken.reason = body.reason;
    return taken;
}
