/** What was done: a token read, stored by a login, imported, deleted, reported; or a request refused. */
export type AuditAction = 'read' | 'store' | 'import' | 'delete' | 'report' | 'refused';

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

export interface AuditEntry extends AuditEvent {
  /** The stream id: its time and a sequence, ordered. */
  id: string;
  at: Date;
}

export interface AuditQuery {
  account?: string;
  client?: string;
  since?: Date;
  until?: Date;
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
 * An append-only, length-bounded record of who took which token when. A port: a Redis Stream shared by the
 * replicas, or memory for the demo.
 */
export abstract class AuditLog {
  abstract append(event: AuditEvent): Promise<void>;
  /** Newest first. */
  abstract page(query: AuditQuery): Promise<AuditPage>;
}

export function matches(entry: AuditEntry, query: AuditQuery): boolean {
  return (
    (query.account === undefined || entry.account === query.account) &&
    (query.client === undefined || entry.client === query.client) &&
    (query.since === undefined || entry.at >= query.since) &&
    (query.until === undefined || entry.at <= query.until)
  );
}
