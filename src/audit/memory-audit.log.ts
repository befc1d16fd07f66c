import { Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { AuditSettings } from './audit.config';
import { AuditEntry, AuditEvent, AuditKind, AuditLog, AuditPage, AuditQuery } from './audit-log';
import { mergedPage, NewestFirst } from './merged-page';
import { compareNewestFirst, kindsFor, positionOf, trailId } from './trail-position';

/** The audit trail of a single process: two bounded lists, as the Redis store keeps two streams, paged the same way. */
@Injectable()
export class MemoryAuditLog extends AuditLog {
  private readonly lists: Record<AuditKind, BoundedList>;

  constructor(
    private readonly clock: Clock,
    settings: AuditSettings,
  ) {
    super();
    this.lists = { done: new BoundedList('done', settings.maxLength), refused: new BoundedList('refused', settings.maxLength) };
  }

  async append(event: AuditEvent): Promise<void> {
    this.lists.done.add(event, this.clock.now());
  }

  async appendRefusal(event: AuditEvent): Promise<void> {
    this.lists.refused.add(event, this.clock.now());
  }

  async page(query: AuditQuery): Promise<AuditPage> {
    return mergedPage(
      kindsFor(query).map((kind) => this.lists[kind].newestFirst(query)),
      query,
    );
  }
}

/** One list: ids made as XADD makes a stream's, the oldest entries dropped first. */
class BoundedList {
  private readonly entries: AuditEntry[] = [];
  /** How many entries were ever dropped: readers count from the first entry ever added, as appends may drop some meanwhile. */
  private dropped = 0;
  private lastMs = -1;
  private lastSeq = 0;

  constructor(
    private readonly kind: AuditKind,
    private readonly maxLength: number,
  ) {}

  add(event: AuditEvent, at: Date): void {
    // Ids never go back, even when the clock does: the merge and the cursors rely on their order.
    const ms = Math.max(at.getTime(), this.lastMs);
    this.lastSeq = ms === this.lastMs ? this.lastSeq + 1 : 0;
    this.lastMs = ms;
    this.entries.push({ ...event, at, id: trailId(`${ms}-${this.lastSeq}`, this.kind) });
    if (this.entries.length > this.maxLength) {
      this.entries.shift();
      this.dropped += 1;
    }
  }

  /** From the newest entry within the query's `before` and `until` down to its `since`, by the ids' times as Redis reads. */
  newestFirst(query: AuditQuery): NewestFirst {
    const before = query.before === undefined ? undefined : positionOf(query.before);
    const until = query.until?.getTime() ?? Infinity;
    const since = query.since?.getTime() ?? -Infinity;
    let next = this.dropped + this.countWhile((entry) => {
      const position = positionOf(entry.id);
      return position.ms <= until && (before === undefined || compareNewestFirst(position, before) < 0);
    });
    return {
      take: async () => {
        const index = next - 1 - this.dropped;
        const entry = index >= 0 ? this.entries[index] : undefined;
        if (entry === undefined || positionOf(entry.id).ms < since) return undefined;
        next -= 1;
        return entry;
      },
    };
  }

  /** How many of the oldest entries pass `test`, which holds for the oldest ones up to some entry and for none after. */
  private countWhile(test: (entry: AuditEntry) => boolean): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (test(this.entries[middle])) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
