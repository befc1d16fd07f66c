import { Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { LuaCommand, luaCommand } from '../redis/lua-command';
import { redisCall } from '../redis/redis-call';
import { RedisConnection } from '../redis/redis-connection';
import { decision, RateDecision, RateLimiter } from './rate-limiter';
import { RATE_COUNTER_LIFETIME_MS, rateWindow } from './rate-window';

/** Counts and starts the counter's lifetime in one step: a counter is never left without one. */
export const COUNT_IN_WINDOW = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count`;

@Injectable()
export class RedisRateLimiter extends RateLimiter {
  private readonly count: LuaCommand<number>;

  constructor(
    private readonly redis: RedisConnection,
    private readonly clock: Clock,
  ) {
    super();
    this.count = luaCommand(redis.client, 'vaultCountInWindow', COUNT_IN_WINDOW);
  }

  async consume(tracker: string, limitPerMinute: number): Promise<RateDecision> {
    const now = this.clock.now().getTime();
    const window = rateWindow(now);
    const count = await redisCall('rate count', () => this.count([this.redis.keys.rateLimit(tracker, window.index)], [RATE_COUNTER_LIFETIME_MS]));
    return decision(count, limitPerMinute, window, now);
  }
}
