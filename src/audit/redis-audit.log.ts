import { Injectable } from '@nestjs/common';
import { AuditSettings } from './audit.config';
import { redisCall } from '../redis/redis-call';
import { RedisConnection } from '../redis/redis-connection';
import { AuditEntry, AuditEvent, AuditLog, AuditPage, AuditQuery, matches } from './audit-log';
import { ENTRY_FIELD, packEntry, unpackEntry } from './packed-audit-entry';

/** How many entries one page may look through for its filters before it hands back a cursor. */
const SCAN_BUDGET = 5_000;
const BATCH = 500;

/**
 * A Redis Stream, trimmed to about AUDIT_MAX_LENGTH entries on each append (`MAXLEN ~`, which trims whole nodes
 * and costs nothing extra). Stream ids are times, so a time filter is a range read; the others are applied while
 * reading, newest first.
 */
@Injectable()
export class RedisAuditLog extends AuditLog {
  constructor(
    private readonly redis: RedisConnection,
    private readonly settings: AuditSettings,
  ) {
    super();
  }

  async append(event: AuditEvent): Promise<void> {
    await redisCall('audit write', () =>
      this.redis.client.xadd(this.redis.keys.audit(), 'MAXLEN', '~', String(this.settings.maxLength), '*', ENTRY_FIELD, packEntry(event)),
    );
  }

  async page(query: AuditQuery): Promise<AuditPage> {
    const key = this.redis.keys.audit();
    let end = query.before !== undefined ? `(${query.before}` : query.until !== undefined ? String(query.until.getTime()) : '+';
    const start = query.since !== undefined ? String(query.since.getTime()) : '-';
    const entries: AuditEntry[] = [];
    let scanned = 0;
    while (scanned < SCAN_BUDGET) {
      const batch = await redisCall('audit read', () => this.redis.client.xrevrange(key, end, start, 'COUNT', BATCH));
      scanned += batch.length;
      for (const [id, flat] of batch) {
        const entry = unpackEntry(id, flat);
        if (!matches(entry, query)) continue;
        entries.push(entry);
        if (entries.length === query.limit) return { entries, next: id };
      }
      if (batch.length < BATCH) return { entries, next: null };
      end = `(${batch[batch.length - 1][0]}`;
    }
    // The budget ran out: hand back where to go on, so a sparse filter over a long stream stays cheap per page.
    return { entries, next: end.slice(1) };
  }
}
