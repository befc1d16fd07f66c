import { Injectable } from '@nestjs/common';
import { RedisConnection } from '../redis/redis-connection';
import { redisCall } from '../redis/redis-call';
import { LoginStateStore, StateUse } from './login-state.store';

const PENDING = 'pending';
const USED = 'used';

@Injectable()
export class RedisLoginStateStore extends LoginStateStore {
  constructor(private readonly redis: RedisConnection) {
    super();
  }

  async saveState(stateHash: string, lifetimeMs: number): Promise<void> {
    const key = this.redis.keys.loginState(stateHash);
    await redisCall('login state write', () => this.redis.client.set(key, PENDING, 'PX', lifetimeMs));
  }

  async takeState(stateHash: string): Promise<StateUse> {
    // One command swaps pending for used and returns what was there: atomic across replicas. XX leaves an unknown
    // state unknown; KEEPTTL keeps "used" only as long as the state would have lived.
    const key = this.redis.keys.loginState(stateHash);
    const before = await redisCall('login state read', () => this.redis.client.set(key, USED, 'KEEPTTL', 'XX', 'GET'));
    if (before === PENDING) return 'fresh';
    return before === null ? 'unknown' : 'used';
  }

  async claimCode(codeHash: string, lifetimeMs: number): Promise<boolean> {
    const key = this.redis.keys.codeClaim(codeHash);
    const result = await redisCall('code claim', () => this.redis.client.set(key, '1', 'PX', lifetimeMs, 'NX'));
    return result === 'OK';
  }
}
