/** What was done: a token read, stored by a login, imported, deleted, reported, verified; or a request refused. */
export const AUDIT_ACTIONS = ['read', 'store', 'import', 'delete', 'report', 'verify', 'refused'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEvent {
  action: AuditAction;
  /** `ok`, or why not: `not_found`, `unauthorized`, `forbidden`, `rate_limited`, `invalid`, `live`, an error code. */
  result: string;
  /** The service client's name, `browser` for a login, or null when nobody was authenticated. */
  client: string | null;
  account: string | null;
  requestId: string | null;
  remote: string | null;
  /** A short keyed fingerprint of the token concerned, never the token. */
  fingerprint: string | null;
}

/**
 * Which of the trail's two bounded lists an entry is kept in: what the vault did, or what it refused or failed to
 * do (401, 403 and 429 on any route, and the errors of audited routes). Anyone can cause the second without a key,
 * so it is bounded apart: a flood of it only pushes out older refusals, never a read or a store.
 */
export type AuditKind = 'done' | 'refused';

export interface AuditEntry extends AuditEvent {
  /** Its place in the trail (trail-position.ts): the stream id, time and sequence, `-r` after it for a refusal. */
  id: string;
  at: Date;
}

export interface AuditQuery {
  account?: string;
  client?: string;
  since?: Date;
  until?: Date;
  /** Only these actions; all when absent. */
  actions?: readonly AuditAction[];
  /** Only what was done, or only what was refused or failed; both when absent. */
  kind?: AuditKind;
  /** Entries older than this id (exclusive): the `next` of the previous page. */
  before?: string;
  limit: number;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Pass as `before` for the next (older) page; null at the end. */
  next: string | null;
}

/**
 * An append-only, length-bounded record of who took which token when. A port: Redis Streams shared by the
 * replicas, or memory for the demo.
 */
export abstract class AuditLog {
  /** What was done: a token read, stored, imported, deleted, reported. */
  abstract append(event: AuditEvent): Promise<void>;
  /** What was refused or failed, kept in a bounded list of its own. */
  abstract appendRefusal(event: AuditEvent): Promise<void>;
  /** Newest first, both lists merged. */
  abstract page(query: AuditQuery): Promise<AuditPage>;
}

export function matches(entry: AuditEntry, query: AuditQuery): boolean {
  return (
    (query.account === undefined || entry.account === query.account) &&
    (query.client === undefined || entry.client === query.client) &&
    (query.actions === undefined || query.actions.includes(entry.action)) &&
    (query.since === undefined || entry.at >= query.since) &&
    (query.until === undefined || entry.at <= query.until)
  );
}
