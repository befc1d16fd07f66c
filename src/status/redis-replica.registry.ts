import { Injectable } from '@nestjs/common';
import { redisCall } from '../redis/redis-call';
import { RedisConnection } from '../redis/redis-connection';
import { REPLICA_FORGOTTEN_AFTER_MS, ReplicaRegistry } from './replica-registry';

/**
 * One sorted set, replica id → its last heartbeat. Each heartbeat also drops the replicas long silent, and keeps the
 * set for as long as a heartbeat is remembered, so the set goes away with the last replica.
 */
@Injectable()
export class RedisReplicaRegistry extends ReplicaRegistry {
  constructor(private readonly redis: RedisConnection) {
    super();
  }

  async beat(replicaId: string, at: Date): Promise<void> {
    const key = this.redis.keys.replicas();
    await redisCall('replica heartbeat', () =>
      this.redis.client
        .multi()
        .zadd(key, at.getTime(), replicaId)
        .zremrangebyscore(key, '-inf', `(${at.getTime() - REPLICA_FORGOTTEN_AFTER_MS}`)
        .pexpire(key, REPLICA_FORGOTTEN_AFTER_MS)
        .exec(),
    );
  }

  async seenSince(since: Date): Promise<string[]> {
    const ids = await redisCall('replica list', () => this.redis.client.zrangebyscore(this.redis.keys.replicas(), since.getTime(), '+inf'));
    return ids.sort();
  }

  async leave(replicaId: string): Promise<void> {
    await redisCall('replica leave', () => this.redis.client.zrem(this.redis.keys.replicas(), replicaId));
  }
}
