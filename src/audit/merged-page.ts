import { AuditEntry, AuditPage, AuditQuery, matches } from './audit-log';
import { compareNewestFirst, positionOf, TrailPosition } from './trail-position';

/** How many entries one page may look through for its filters before it hands back a cursor. */
const SCAN_BUDGET = 5_000;

/** One stream of the trail, from where a page starts, newest first. */
export interface NewestFirst {
  /** The next older entry, or undefined when the stream has none left in the page's range. */
  take(): Promise<AuditEntry | undefined>;
}

interface Head {
  entry: AuditEntry;
  position: TrailPosition;
}

/**
 * A page of the trail, merged from its streams in the order of trail-position.ts. Filters are applied while
 * reading; a filter that matches rarely stops the page after SCAN_BUDGET entries with a cursor where it stopped,
 * so each page stays cheap (such a page may hold fewer than `limit` entries and still have a `next`).
 */
export async function mergedPage(streams: readonly NewestFirst[], query: AuditQuery, budget = SCAN_BUDGET): Promise<AuditPage> {
  const heads = await Promise.all(streams.map(headOf));
  const entries: AuditEntry[] = [];
  for (let examined = 1; ; examined += 1) {
    const index = newest(heads);
    if (index < 0) return { entries, next: null };
    const { entry } = heads[index]!;
    heads[index] = await headOf(streams[index]);
    if (matches(entry, query)) entries.push(entry);
    if (entries.length === query.limit || examined >= budget) {
      // At the end of every stream there is nothing to page on to.
      return { entries, next: heads.some((head) => head !== undefined) ? entry.id : null };
    }
  }
}

async function headOf(stream: NewestFirst): Promise<Head | undefined> {
  const entry = await stream.take();
  return entry === undefined ? undefined : { entry, position: positionOf(entry.id) };
}

function newest(heads: ReadonlyArray<Head | undefined>): number {
  let found = -1;
  heads.forEach((head, index) => {
    if (head !== undefined && (found < 0 || compareNewestFirst(head.position, heads[found]!.position) > 0)) found = index;
  });
  return found;
}
