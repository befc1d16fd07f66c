"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.TokenVaultClient = exports.TokenVault = void 0;
const node_fs_1 = require("node:fs");
const node_perf_hooks_1 = require("node:perf_hooks");
const account_1 = require("./account");
const token_cache_1 = require("./token-cache");
const token_events_1 = require("./token-events");
const vault_answers_1 = require("./vault-answers");
const vault_error_1 = require("./vault-error");
const vault_http_1 = require("./vault-http");
const VAULT_LONGEST_WAIT_SECONDS = 55;
/** A vault that does not hold a waiting request answers at once; it is then asked at most once a second. */
const LEAST_MS_BETWEEN_WAITS = 1000;
const LONGEST_RECONNECT_MS = 30_000;
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
class TokenVault {
    http;
    cache;
    clock;
    longestWaitSeconds;
    eventsIdleMs;
    inFlight = new Map();
    constructor(options) {
        this.http = new vault_http_1.VaultHttp({
            url: options.url,
            serviceKey: options.serviceKey,
            ca: options.ca,
            timeoutMs: atLeast(1, options.timeoutMs ?? 10_000, 'timeoutMs'),
            maxRetries: atLeast(0, options.maxRetries ?? 3, 'maxRetries'),
            maxRetryWaitMs: atLeast(0, options.maxRetryWaitSeconds ?? 5, 'maxRetryWaitSeconds') * 1000,
        });
        this.cache = new token_cache_1.TokenCache(atLeast(0, options.refreshMarginSeconds ?? 60, 'refreshMarginSeconds') * 1000);
        this.clock = options.clock ?? (() => node_perf_hooks_1.performance.now());
        this.longestWaitSeconds = Math.min(VAULT_LONGEST_WAIT_SECONDS, Math.floor(atLeast(1, options.longestWaitSeconds ?? VAULT_LONGEST_WAIT_SECONDS, 'longestWaitSeconds')));
        this.eventsIdleMs = atLeast(0.01, options.eventsIdleSeconds ?? 60, 'eventsIdleSeconds') * 1000;
    }
    /**
     * A client configured by the environment: `VAULT_URL`, `VAULT_KEY`, and with a desk's own CA, `VAULT_CA_FILE` (the
     * path of its PEM certificate). `options` set the rest, and win over the environment.
     */
    static fromEnv(options = {}, env = process.env) {
        const url = options.url ?? env.VAULT_URL;
        const serviceKey = options.serviceKey ?? env.VAULT_KEY;
        if (!url)
            throw new TypeError('VAULT_URL is not set: the vault, such as http://vault:5000');
        if (!serviceKey)
            throw new TypeError("VAULT_KEY is not set: this service's key (tvk_…), from npm run clients -- add");
        let ca = options.ca;
        if (ca === undefined && env.VAULT_CA_FILE) {
            try {
                ca = (0, node_fs_1.readFileSync)(env.VAULT_CA_FILE);
            }
            catch (error) {
                throw new TypeError(`VAULT_CA_FILE cannot be read (${error.code ?? 'error'}): ${env.VAULT_CA_FILE}`);
            }
        }
        return new TokenVault({ ...options, url, serviceKey, ca });
    }
    /**
     * The live token of an account (`YA0002`, `zerodha:AB1234`, or `AB1234` with `{ broker: 'zerodha' }`), from the
     * cache or the vault. Throws a VaultError when there is none to give.
     */
    async token(account, options = {}) {
        const named = (0, account_1.accountOf)(account, options.broker);
        const wait = atLeast(0, options.wait ?? 0, 'wait');
        const cached = this.cache.fresh(named.key, this.clock());
        if (cached)
            return cached;
        try {
            return wait > 0 ? await this.waitFor(named, wait) : await this.shared(named);
        }
        catch (error) {
            if (!(error instanceof vault_error_1.VaultError))
                throw error;
            if (error.temporary) {
                const stillLive = this.cache.live(named.key, this.clock());
                if (stillLive)
                    return stillLive;
            }
            else {
                this.cache.drop(named.key);
            }
            throw error;
        }
    }
    /**
     * Tells the vault that the broker refused this account's token. The cached token is dropped first, whatever the
     * vault answers; the answer says whether the vault found it dead (and removed it) or alive.
     */
    async reportInvalid(account, options = {}) {
        const named = (0, account_1.accountOf)(account, options.broker);
        this.cache.drop(named.key);
        const body = await this.http.call('POST', `/v1/tokens${named.reportPath}/report-invalid`);
        const report = (0, vault_answers_1.reportOf)(body);
        if (!report)
            throw new vault_error_1.VaultError(200, 'unexpected_response', 'the vault answered the report without a verdict');
        return report;
    }
    /**
     * `GET /v1/events` as an async iterator of the accounts' token events, resumed across dropped connections with
     * `Last-Event-ID`, a `reset` when the vault could not replay. Iterate it once; end it with `break` or `close()`.
     */
    events(options = {}) {
        return new token_events_1.TokenEvents(this.http, this.stale, { idleTimeoutMs: this.eventsIdleMs, longestReconnectMs: LONGEST_RECONNECT_MS }, options);
    }
    /** What an event makes stale: the cached tokens, and the requests in flight, which later callers must not join. */
    stale = {
        dropAccount: (clientId) => {
            this.cache.dropAccount(clientId);
            this.inFlight.clear();
        },
        dropAll: () => {
            this.cache.dropAll();
            this.inFlight.clear();
        },
    };
    /** One request for an account at a time: the callers of a refresh share its answer. */
    shared(account) {
        let pending = this.inFlight.get(account.key);
        if (!pending) {
            const started = this.fetch(account, 0).finally(() => {
                if (this.inFlight.get(account.key) === started)
                    this.inFlight.delete(account.key);
            });
            pending = started;
            this.inFlight.set(account.key, pending);
        }
        return pending;
    }
    /** Waits of up to 55 s each until a token is stored or `seconds` have passed. */
    async waitFor(account, seconds) {
        const deadline = this.clock() + seconds * 1000;
        for (;;) {
            const started = this.clock();
            const left = Math.max(1, Math.ceil((deadline - started) / 1000));
            try {
                return await this.fetch(account, Math.min(left, this.longestWaitSeconds));
            }
            catch (error) {
                if (!(error instanceof vault_error_1.VaultError) || error.error !== 'token_not_found')
                    throw error;
                const pause = Math.min(started + LEAST_MS_BETWEEN_WAITS, deadline) - this.clock();
                if (pause > 0)
                    await (0, vault_http_1.sleep)(pause);
                if (this.clock() >= deadline)
                    throw error;
            }
        }
    }
    async fetch(account, waitSeconds) {
        const ticket = this.cache.ticket(account.key);
        const sentAt = this.clock();
        const query = waitSeconds > 0 ? `?wait=${waitSeconds}` : '';
        const body = await this.http.call('GET', `/v1/tokens${account.tokenPath}${query}`, waitSeconds * 1000);
        const token = (0, vault_answers_1.tokenOf)(body);
        if (!token)
            throw new vault_error_1.VaultError(200, 'unexpected_response', 'the vault answered without a token');
        this.cache.keep(account.key, token, sentAt, ticket);
        return { ...token, issuedAt: new Date(token.issuedAt.getTime()), expiresAt: new Date(token.expiresAt.getTime()) };
    }
}
exports.TokenVault = TokenVault;
/** The name this client had first; the same class. */
exports.TokenVaultClient = TokenVault;
function atLeast(least, value, name) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < least)
        throw new TypeError(`${name} must be a number, at least ${least}`);
    return value;
}
