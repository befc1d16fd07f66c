import { Injectable } from '@nestjs/common';
import { AuditSettings } from './audit.config';
import { redisCall } from '../redis/redis-call';
import { RedisConnection } from '../redis/redis-connection';
import { AuditEntry, AuditEvent, AuditLog, AuditPage, AuditQuery, matches } from './audit-log';

/** How many entries one page may look through for its filters before it hands back a cursor. */
const SCAN_BUDGET = 5_000;
const BATCH = 500;
const FIELDS = ['action', 'result', 'client', 'account', 'requestId', 'remote', 'fingerprint'] as const;

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
    const values = FIELDS.flatMap((field) => [field, event[field] ?? '']);
    await redisCall('audit write', () =>
      this.redis.client.xadd(this.redis.keys.audit(), 'MAXLEN', '~', String(this.settings.maxLength), '*', ...values),
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
        const entry = toEntry(id, flat);
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

function toEntry(id: string, flat: string[]): AuditEntry {
  const fields: Record<string, string> = {};
  for (let index = 0; index + 1 < flat.length; index += 2) fields[flat[index]] = flat[index + 1];
  const orNull = (value: string | undefined) => (value === undefined || value === '' ? null : value);
  return {
    id,
    at: new Date(Number(id.split('-')[0])),
    action: fields.action as AuditEntry['action'],
    result: fields.result ?? '',
    client: orNull(fields.client),
    account: orNull(fields.account),
    requestId: orNull(fields.requestId),
    remote: orNull(fields.remote),
    fingerprint: orNull(fields.fingerprint),
  };
}
