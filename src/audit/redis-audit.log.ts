import { Injectable } from '@nestjs/common';
import { AuditSettings } from './audit.config';
import { redisCall } from '../redis/redis-call';
import { RedisConnection } from '../redis/redis-connection';
import { AuditEntry, AuditEvent, AuditKind, AuditLog, AuditPage, AuditQuery } from './audit-log';
import { mergedPage, NewestFirst } from './merged-page';
import { ENTRY_FIELD, packEntry, unpackEntry } from './packed-audit-entry';
import { kindsFor, positionOf, streamEndAfter, trailId } from './trail-position';

const BATCH = 500;

/**
 * Two Redis Streams, `audit` for what was done and `audit:refusals` for what was refused or failed, each trimmed on
 * every append (`MAXLEN ~`, which trims whole nodes and costs nothing extra) to its own length. Token reads reach
 * `audit` from the read script (tokens/read/count-read-record.lua), everything else comes through here. Stream ids are
 * times, so a time filter is a range read; the others are applied while reading, newest first.
 */
@Injectable()
export class RedisAuditLog extends AuditLog {
  constructor(
    private readonly redis: RedisConnection,
    private readonly settings: AuditSettings,
  ) {
    super();
  }

  append(event: AuditEvent): Promise<void> {
    return this.add('done', event);
  }

  appendRefusal(event: AuditEvent): Promise<void> {
    return this.add('refused', event);
  }

  async page(query: AuditQuery): Promise<AuditPage> {
    const before = query.before === undefined ? undefined : positionOf(query.before);
    const until = query.until === undefined ? '+' : String(query.until.getTime());
    const start = query.since === undefined ? '-' : String(query.since.getTime());
    // Whichever of `before` and `until` ends the range lower.
    const beforeEnds = before !== undefined && (query.until === undefined || before.ms <= query.until.getTime());
    const end = (kind: AuditKind) => (beforeEnds ? streamEndAfter(before, kind) : until);
    // A page of the newest entries usually comes from the first read of each stream; filters read on in batches.
    const first = Math.min(BATCH, query.limit + 1);
    return mergedPage(
      kindsFor(query).map((kind) => new StreamReader(this.redis, this.keyOf(kind), kind, end(kind), start, first)),
      query,
    );
  }

  private async add(kind: AuditKind, event: AuditEvent): Promise<void> {
    await redisCall('audit write', () =>
      this.redis.client.xadd(this.keyOf(kind), 'MAXLEN', '~', String(this.settings.maxLength), '*', ENTRY_FIELD, packEntry(event)),
    );
  }

  private keyOf(kind: AuditKind): string {
    return kind === 'refused' ? this.redis.keys.auditRefusals() : this.redis.keys.audit();
  }
}

/** One stream, newest first from `end` down to `start`, read a batch at a time as the merge asks for more. */
class StreamReader implements NewestFirst {
  private batch: AuditEntry[] = [];
  private taken = 0;
  private exhausted = false;

  constructor(
    private readonly redis: RedisConnection,
    private readonly key: string,
    private readonly kind: AuditKind,
    private end: string,
    private readonly start: string,
    private count: number,
  ) {}

  async take(): Promise<AuditEntry | undefined> {
    if (this.taken >= this.batch.length) await this.readOn();
    return this.batch[this.taken++];
  }

  private async readOn(): Promise<void> {
    this.batch = [];
    this.taken = 0;
    if (this.exhausted) return;
    const read = await redisCall('audit read', () => this.redis.client.xrevrange(this.key, this.end, this.start, 'COUNT', this.count));
    this.exhausted = read.length < this.count;
    if (read.length > 0) this.end = `(${read[read.length - 1][0]}`;
    this.count = BATCH;
    this.batch = read.map(([id, flat]) => ({ ...unpackEntry(id, flat), id: trailId(id, this.kind) }));
  }
}
