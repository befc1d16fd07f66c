import { performance } from 'node:perf_hooks';
import { TokenCache } from './token-cache';
import { InvalidReport, reportOf, tokenOf, VaultToken } from './vault-answers';
import { VaultError } from './vault-error';
import { sleep, VaultHttp } from './vault-http';

export interface TokenVaultClientOptions {
  /** Where the vault listens, such as `http://vault:5000` (a path in front of `/v1` is kept). */
  url: string;
  /** This service's key (`tvk_…`), sent as `Authorization: Bearer …`; never logged, never in an error. */
  serviceKey: string;
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
  /** A monotonic clock in ms, for tests to move. Default `performance.now`. */
  clock?: () => number;
}

export interface TokenOptions {
  /**
   * Seconds to wait for a token when none is stored yet (the morning login): the vault answers as soon as one is
   * stored. Without it, no token is `token_not_found` at once.
   */
  wait?: number;
}

const VAULT_LONGEST_WAIT_SECONDS = 55;
/** A vault that does not hold a waiting request answers at once; it is then asked at most once a second. */
const LEAST_MS_BETWEEN_WAITS = 1000;

/**
 * Reads Pocketful tokens from token-vault.
 *
 * `token()` hands out a cached token until `refreshMarginSeconds` before it expires, then asks the vault again;
 * callers asking at the same moment share one request. When that refresh fails for want of an answer (no answer,
 * a timeout, a 5xx, or 429 past its retries), the cached token is still handed out if it has not expired, and an
 * expired token never is. When the vault answers that there is no token (404), or that this key may not have it
 * (401, 403), the cached token is dropped and the error thrown.
 */
export class TokenVaultClient {
  private readonly http: VaultHttp;
  private readonly cache: TokenCache;
  private readonly clock: () => number;
  private readonly longestWaitSeconds: number;
  private readonly inFlight = new Map<string, Promise<VaultToken>>();

  constructor(options: TokenVaultClientOptions) {
    this.http = new VaultHttp({
      url: options.url,
      serviceKey: options.serviceKey,
      timeoutMs: atLeast(1, options.timeoutMs ?? 10_000, 'timeoutMs'),
      maxRetries: atLeast(0, options.maxRetries ?? 3, 'maxRetries'),
      maxRetryWaitMs: atLeast(0, options.maxRetryWaitSeconds ?? 5, 'maxRetryWaitSeconds') * 1000,
    });
    this.cache = new TokenCache(atLeast(0, options.refreshMarginSeconds ?? 60, 'refreshMarginSeconds') * 1000);
    this.clock = options.clock ?? (() => performance.now());
    this.longestWaitSeconds = Math.min(VAULT_LONGEST_WAIT_SECONDS, Math.floor(atLeast(1, options.longestWaitSeconds ?? VAULT_LONGEST_WAIT_SECONDS, 'longestWaitSeconds')));
  }

  /** The live token of an account, from the cache or the vault. Throws a VaultError when there is none to give. */
  async token(clientId: string, options: TokenOptions = {}): Promise<VaultToken> {
    const account = normalized(clientId);
    const wait = atLeast(0, options.wait ?? 0, 'wait');
    const cached = this.cache.fresh(account, this.clock());
    if (cached) return cached;
    try {
      return wait > 0 ? await this.waitFor(account, wait) : await this.shared(account);
    } catch (error) {
      if (!(error instanceof VaultError)) throw error;
      if (error.temporary) {
        const stillLive = this.cache.live(account, this.clock());
        if (stillLive) return stillLive;
      } else {
        this.cache.drop(account);
      }
      throw error;
    }
  }

  /**
   * Tells the vault that Pocketful refused this account's token. The cached token is dropped first, whatever the
   * vault answers; the answer says whether the vault found it dead (and removed it) or alive.
   */
  async reportInvalid(clientId: string): Promise<InvalidReport> {
    const account = normalized(clientId);
    this.cache.drop(account);
    const body = await this.http.call('POST', `/v1/tokens/${encodeURIComponent(account)}/report-invalid`);
    const report = reportOf(body);
    if (!report) throw new VaultError(200, 'unexpected_response', 'the vault answered the report without a verdict');
    return report;
  }

  /** One request for an account at a time: the callers of a refresh share its answer. */
  private shared(account: string): Promise<VaultToken> {
    let pending = this.inFlight.get(account);
    if (!pending) {
      pending = this.fetch(account, 0).finally(() => this.inFlight.delete(account));
      this.inFlight.set(account, pending);
    }
    return pending;
  }

  /** Waits of up to 55 s each until a token is stored or `seconds` have passed. */
  private async waitFor(account: string, seconds: number): Promise<VaultToken> {
    const deadline = this.clock() + seconds * 1000;
    for (;;) {
      const started = this.clock();
      const left = Math.max(1, Math.ceil((deadline - started) / 1000));
      try {
        return await this.fetch(account, Math.min(left, this.longestWaitSeconds));
      } catch (error) {
        if (!(error instanceof VaultError) || error.error !== 'token_not_found') throw error;
        const pause = Math.min(started + LEAST_MS_BETWEEN_WAITS, deadline) - this.clock();
        if (pause > 0) await sleep(pause);
        if (this.clock() >= deadline) throw error;
      }
    }
  }

  private async fetch(account: string, waitSeconds: number): Promise<VaultToken> {
    const ticket = this.cache.ticket(account);
    const sentAt = this.clock();
    const query = waitSeconds > 0 ? `?wait=${waitSeconds}` : '';
    const body = await this.http.call('GET', `/v1/tokens/${encodeURIComponent(account)}${query}`, waitSeconds * 1000);
    const token = tokenOf(body);
    if (!token) throw new VaultError(200, 'unexpected_response', 'the vault answered without a token');
    this.cache.keep(account, token, sentAt, ticket);
    return { ...token };
  }
}

/** The vault compares ids in upper case; so does the cache, so `ya0002` and `YA0002` share a token. */
const normalized = (clientId: string): string => {
  if (typeof clientId !== 'string' || clientId.trim() === '') throw new TypeError('the client id must be a non-empty string, such as YA0002');
  return clientId.trim().replace(/[a-z]+/g, (letters) => letters.toUpperCase());
};

function atLeast(least: number, value: number, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < least) throw new TypeError(`${name} must be a number, at least ${least}`);
  return value;
}
