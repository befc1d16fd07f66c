import { Injectable } from '@nestjs/common';
import { redisCall } from '../redis/redis-call';
import { RedisConnection } from '../redis/redis-connection';
import { CoordinationStore } from './coordination.store';

const HELD = 'held';

/**
 * `SET NX PX`: the one atomic step that lets any number of replicas agree. Relative TTLs here, unlike tokens:
 * these keys measure durations (a lease, a quiet period), not an instant of the broker's.
 */
@Injectable()
export class RedisCoordinationStore extends CoordinationStore {
  constructor(private readonly redis: RedisConnection) {
    super();
  }

  async acquire(key: string, ttlMs: number): Promise<boolean> {
    const answer = await redisCall('claim', () => this.redis.client.set(key, HELD, 'PX', ttlMs, 'NX'));
    return answer === 'OK';
  }

  async settle(key: string, value: string, ttlMs: number): Promise<void> {
    await redisCall('claim settle', () => this.redis.client.set(key, value, 'PX', ttlMs));
  }

  async count(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }> {
    const [[, count], , [, ttl]] = (await redisCall('counter', () =>
      this.redis.client.multi().incr(key).pexpire(key, windowMs, 'NX').pttl(key).exec(),
    )) as [[unknown, number], unknown, [unknown, number]];
    return { count, resetInMs: Math.max(0, ttl) };
  }

  async peek(key: string): Promise<{ count: number; resetInMs: number }> {
    const [[, value], [, ttl]] = (await redisCall('counter', () => this.redis.client.multi().get(key).pttl(key).exec())) as [
      [unknown, string | null],
      [unknown, number],
    ];
    return { count: Number(value ?? 0) || 0, resetInMs: Math.max(0, ttl) };
  }

  async read(key: string): Promise<string | null> {
    return redisCall('claim read', () => this.redis.client.get(key));
  }
}
