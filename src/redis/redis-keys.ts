/**
 * Every Redis key the vault writes, built here and nowhere else, under one prefix (REDIS_KEY_PREFIX). The README
 * lists them. Hashes stand in for state and codes: both are secrets while they are in use. The memory adapters
 * take the same names as their map keys.
 */
export class RedisKeys {
  constructor(private readonly prefix: string) {}

  /** String: the sealed envelope of an account's token, expiring at the token's expiry (a PX lifetime from the vault's clock). */
  token(clientId: string): string {
    return `${this.prefix}token:${clientId}`;
  }

  /** Hash: client id → the last token's issue time, expiry and source (no token). */
  accounts(): string {
    return `${this.prefix}accounts`;
  }

  /** Sorted set: client id scored by its token's expiry (ms), so alerts find what expires soon without a scan. */
  expiries(): string {
    return `${this.prefix}expiries`;
  }

  /** String: who sends an alert to a channel: `held` (a lease), then `sent` or `failed`. */
  alertClaim(alertId: string, channel: string): string {
    return `${this.prefix}claim:alert:${alertId}:${channel}`;
  }

  /**
   * Set: the accounts of an alert window (a kind and its expiry, and lead) already announced to a channel, sent or
   * given up, so that each account is in one alert of the window whichever replica scans.
   */
  alertAnnounced(windowId: string, channel: string): string {
    return `${this.prefix}claim:alert-announced:${windowId}:${channel}`;
  }

  /** String: who runs one attempt of a day's pre-open check (`<date>` in IST, attempt 0 the check, then retries): a lease, then `done`. */
  preopenClaim(date: string, attempt: number): string {
    return `${this.prefix}claim:preopen:${date}:${attempt}`;
  }

  /** String: the last pre-open check's outcome (JSON: its day, time, attempt, accounts by verdict), for the status page. */
  preopenResult(): string {
    return `${this.prefix}preopen-result`;
  }

  /** List: the newest settled alert deliveries (time, channel, type, result, accounts), trimmed to 100, for the status page. */
  alertDeliveries(): string {
    return `${this.prefix}alert-deliveries`;
  }

  /** Sorted set: replica id scored by its last heartbeat (ms, the vault's clock), so the status page counts live replicas. */
  replicas(): string {
    return `${this.prefix}replicas`;
  }

  /** String: the verdict of the last check of a reported token, shared for 30 s. */
  reportCheck(clientId: string): string {
    return `${this.prefix}claim:report-check:${clientId}`;
  }

  /** String: failed authentications from an address in the current minute. */
  authFailures(address: string): string {
    return `${this.prefix}claim:auth-failures:${address}`;
  }

  /** String: requests of a client (`client:<name>`) or an address (`address:<ip>`) in one minute, by its index. */
  rateLimit(tracker: string, window: number): string {
    return `${this.prefix}rate:${tracker}:${window}`;
  }

  /** Stream: the audit trail, trimmed to about AUDIT_MAX_LENGTH entries. */
  audit(): string {
    return `${this.prefix}audit`;
  }

  /**
   * Stream: refused and failed requests, apart from `audit` so that a flood of them, which needs no key, cannot trim
   * reads and stores out of it; trimmed to about AUDIT_MAX_LENGTH entries of its own.
   */
  auditRefusals(): string {
    return `${this.prefix}audit:refusals`;
  }

  /** Stream: token events (stored, removed, expiring) for GET /v1/events, never a token; trimmed to about 10,000. */
  events(): string {
    return `${this.prefix}events`;
  }

  /** String: which replica announces an event that every replica notices (an expiry, an expiring alert). */
  eventClaim(event: string): string {
    return `${this.prefix}claim:event:${event}`;
  }

  /** String: `pending:<sha256 of the login cookie>:<PKCE verifier>`, then `used`, for ten minutes after a login began. */
  loginState(stateHash: string): string {
    return `${this.prefix}login-state:${stateHash}`;
  }

  /** String: set once, when a code is first sent to Pocketful; never sent again while it exists. */
  codeClaim(codeHash: string): string {
    return `${this.prefix}code-claim:${codeHash}`;
  }
}
