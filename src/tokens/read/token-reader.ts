import type { AuditEvent } from '../../audit/audit-log';
import { StoredToken } from '../stored-token';

/** A token read as a service client makes it: counted, read, and recorded, in that order. */
export interface ServingRead {
  clientId: string;
  /** The budget the read is counted against first; null when rate limits are off, or for a waiting read's rereads. */
  rate: { tracker: string; limitPerMinute: number } | null;
  /** Who reads, for the audit entry; the reader adds the token's fingerprint. */
  audit: Pick<AuditEvent, 'client' | 'account' | 'requestId' | 'remote'>;
  /** Without an entry, no token (AUDIT_FAIL_CLOSED). */
  failClosed: boolean;
  /**
   * A waiting read's read after a store woke it: read with the others that store woke for the account, one read of
   * the token for all of them, each with its own audit entry (RedisTokenReader sends them in one call).
   */
  woken: boolean;
}

export type ServingOutcome =
  | { kind: 'served'; token: StoredToken; audited: boolean }
  | { kind: 'missing' }
  | { kind: 'limited'; retryAfterSeconds: number; firstRefusal: boolean }
  | { kind: 'audit_failed' }
  /** The stored value could not be opened (a key this replica lacks, a damaged value): the error says which. */
  | { kind: 'unreadable'; error: unknown };

/**
 * A service client's token read as one operation, so that Redis can do it in one round trip: count the read against
 * its client's budget, take the token, and write its audit entry before the token leaves. Bound by TokensModule to
 * RedisTokenReader (one script) or MemoryTokenReader (the memory ports, one after another).
 */
export abstract class TokenReader {
  abstract read(read: ServingRead): Promise<ServingOutcome>;
}
