import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type Redis from 'ioredis';
import { redisCall } from '../redis/redis-call';
import { RedisConnection } from '../redis/redis-connection';
import { EventFanOut } from './event-fan-out';
import { EventFeed, FEED_MAX_LENGTH, FeedPage } from './event-feed';
import { decodeEntry, encodeEntry, ENTRY_FIELD, FeedEntry, FeedEvent } from './feed-event';

/** How long one XREAD waits for the next event before asking again: an idle replica asks once a minute. */
const BLOCK_MS = 60_000;
/** A follower whose XREAD has no answer for this long is on a dead connection (a host gone silent): it reconnects. */
const SILENCE_MS = BLOCK_MS + 5_000;
/** Between attempts while Redis does not answer. */
const RETRY_MS = 500;

type StreamEntries = Array<[id: string, fields: string[]]>;

/**
 * The feed as a Redis stream (`events`, about FEED_MAX_LENGTH long): appended with XADD on the vault's connection,
 * and followed by each process on one connection of its own with XREAD BLOCK from the last id it saw. Following the
 * stream rather than a pub/sub channel means an event appended while this process was cut off from Redis still
 * arrives once it is back, in order, and a stream that resumes reads the same log.
 */
@Injectable()
export class RedisEventFeed extends EventFeed implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RedisEventFeed.name);
  private follower: Redis | null = null;
  private following: Promise<void> | null = null;
  private stopped = false;
  private resume: (() => void) | null = null;
  private reachable = true;

  constructor(
    private readonly redis: RedisConnection,
    private readonly fanOut: EventFanOut,
  ) {
    super();
  }

  async append(entry: FeedEntry): Promise<void> {
    const { client, keys } = this.redis;
    await redisCall('event append', () => client.xadd(keys.events(), 'MAXLEN', '~', FEED_MAX_LENGTH, '*', ENTRY_FIELD, encodeEntry(entry)));
  }

  oldest(): Promise<string | null> {
    const { client, keys } = this.redis;
    return redisCall('event replay', async () => {
      const first = (await client.xrange(keys.events(), '-', '+', 'COUNT', 1)) as StreamEntries;
      return first[0]?.[0] ?? null;
    });
  }

  newest(): Promise<string | null> {
    const { client, keys } = this.redis;
    return redisCall('event replay', async () => {
      const last = (await client.xrevrange(keys.events(), '+', '-', 'COUNT', 1)) as StreamEntries;
      return last[0]?.[0] ?? null;
    });
  }

  page(from: string, count: number): Promise<FeedPage> {
    const { client, keys } = this.redis;
    return redisCall('event replay', async () => {
      const entries = (await client.xrange(keys.events(), from, '+', 'COUNT', count)) as StreamEntries;
      return { events: decodeAll(entries), read: entries.length, last: entries.at(-1)?.[0] ?? null };
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    // Blocking reads need a connection of their own, with no per-command timeout: the wait is XREAD's own.
    this.follower = this.redis.client.duplicate({ commandTimeout: undefined, connectionName: 'token-vault:events' });
    this.follower.on('error', () => undefined);
    // Where following starts is fixed before the vault takes requests, on the connection that is ready by now:
    // whatever any replica appends from here on reaches this process, however long its own connection takes.
    const start = await this.newestId(this.redis.client).catch(() => null);
    this.following = this.follow(this.follower, start);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.resume?.();
    this.follower?.disconnect();
    await this.following;
  }

  private async follow(follower: Redis, start: string | null): Promise<void> {
    let last = start;
    while (!this.stopped) {
      try {
        if (follower.status !== 'ready') await this.untilReady(follower);
        if (this.stopped) return;
        last ??= await this.newestId(follower);
        const entries = await this.next(follower, last);
        this.heard();
        for (const event of decodeAll(entries)) this.fanOut.deliver(event);
        if (entries.length > 0) last = entries[entries.length - 1][0];
      } catch (error) {
        if (this.stopped) return;
        this.lost(error as NodeJS.ErrnoException);
        await this.wait(RETRY_MS);
      }
    }
  }

  private async next(follower: Redis, after: string): Promise<StreamEntries> {
    const silence = setTimeout(() => follower.disconnect(true), SILENCE_MS);
    try {
      const reply = (await follower.xread('BLOCK', BLOCK_MS, 'STREAMS', this.redis.keys.events(), after)) as Array<[string, StreamEntries]> | null;
      return reply?.[0]?.[1] ?? [];
    } finally {
      clearTimeout(silence);
    }
  }

  /** Where a process starts following: after the newest event, or from the start of a stream not yet made. */
  private async newestId(connection: Redis): Promise<string> {
    const newest = (await connection.xrevrange(this.redis.keys.events(), '+', '-', 'COUNT', 1)) as StreamEntries;
    return newest[0]?.[0] ?? '0-0';
  }

  private heard(): void {
    if (!this.reachable) this.logger.log('following token events again');
    this.reachable = true;
  }

  private lost(error: NodeJS.ErrnoException): void {
    if (this.reachable) this.logger.warn(`token events are not followed while Redis does not answer (${error.code ?? error.name}); retrying`);
    this.reachable = false;
  }

  /** Until the connection is (back) up, or shutdown. */
  private untilReady(follower: Redis): Promise<void> {
    return new Promise((resolve) => {
      const ready = () => {
        follower.off('ready', ready);
        this.resume = null;
        resolve();
      };
      follower.on('ready', ready);
      this.resume = ready;
    });
  }

  /** A pause that shutdown cuts short. */
  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const resume = () => {
        clearTimeout(timer);
        this.resume = null;
        resolve();
      };
      const timer = setTimeout(resume, ms);
      this.resume = resume;
    });
  }
}

/** Entries hold one field, ENTRY_FIELD; anything else is skipped. */
function decodeAll(entries: StreamEntries): FeedEvent[] {
  const events: FeedEvent[] = [];
  for (const [id, fields] of entries) {
    const event = fields[0] === ENTRY_FIELD && typeof fields[1] === 'string' ? decodeEntry(id, fields[1]) : null;
    if (event) events.push(event);
  }
  return events;
}
