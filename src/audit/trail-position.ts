import { AuditKind, AuditQuery } from './audit-log';

/**
 * The trail is two bounded streams, what was done and what was refused (audit-log.ts), and a page merges them,
 * newest first.
 *
 * Each stream makes its own time-sequence ids, and both may make the same one in the same millisecond. So an
 * entry's place in the merged trail is its stream id and its kind, and the order is total: newer ids first, and on
 * the same id what was done before what was refused. `next` names such a place, and a page resumes exactly after
 * it in both streams, skipping and repeating nothing, whatever was appended meanwhile.
 */

/** Set after a refusal's stream id, so that the ids of the merged trail stay unique. */
const REFUSAL_MARK = '-r';

/** An id as a page's `before` accepts it: a stream id, with the refusal mark or without. */
export const TRAIL_ID = /^\d{1,15}-\d{1,10}(-r)?$/;

export interface TrailPosition {
  readonly ms: number;
  readonly seq: number;
  readonly kind: AuditKind;
}

/**
 * The streams a query can find anything in. Refusals (action `refused`) are only ever kept as refused, so a query
 * for them alone need not look through every read; a failed read, store or other action is kept as refused too.
 */
export function kindsFor(query: Pick<AuditQuery, 'actions' | 'kind'>): AuditKind[] {
  const kinds: AuditKind[] = query.kind === undefined ? ['done', 'refused'] : [query.kind];
  const onlyRefusals = query.actions !== undefined && query.actions.every((action) => action === 'refused');
  return onlyRefusals ? kinds.filter((kind) => kind === 'refused') : kinds;
}

export function trailId(streamId: string, kind: AuditKind): string {
  return kind === 'refused' ? `${streamId}${REFUSAL_MARK}` : streamId;
}

/** The place of a trail id; one without the mark (as was every `next` before refusals had their stream) is a done one's. */
export function positionOf(id: string): TrailPosition {
  const kind: AuditKind = id.endsWith(REFUSAL_MARK) ? 'refused' : 'done';
  const [ms, seq] = (kind === 'refused' ? id.slice(0, -REFUSAL_MARK.length) : id).split('-');
  return { ms: Number(ms), seq: Number(seq), kind };
}

/** Above zero when `a` comes first (is newer) in the merged trail, below when `b` does; zero for the same place. */
export function compareNewestFirst(a: TrailPosition, b: TrailPosition): number {
  if (a.ms !== b.ms) return a.ms - b.ms;
  if (a.seq !== b.seq) return a.seq - b.seq;
  if (a.kind === b.kind) return 0;
  return a.kind === 'done' ? 1 : -1;
}

/**
 * Where a stream's entries after `before` begin, as an XREVRANGE end: past `before`'s own id in the stream it came
 * from, and in the refused stream after a done entry, at the same id included, since such a refusal comes after it.
 */
export function streamEndAfter(before: TrailPosition, kind: AuditKind): string {
  const id = `${before.ms}-${before.seq}`;
  return kind === 'refused' && before.kind === 'done' ? id : `(${id}`;
}
