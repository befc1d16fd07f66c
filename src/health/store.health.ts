import { Injectable, Optional } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { Clock } from '../clock/clock';
import { RedisConnection } from '../redis/redis-connection';
import { StoreRefusal } from '../redis/redis-failure';
import { StorageSettings } from '../redis/storage.config';
import { TokenStore } from '../tokens/token.store';

export const STORE_PING_TIMEOUT_MS = 1_000;

/**
 * The store answers in time, and can serve: without it no token can be read or stored. For Redis that is more
 * than an answer: the connection must be to the master (a replica answers too, but refuses every write, and a
 * token read writes its count and audit entry), in the database REDIS_URL names, and not refusing commands while
 * Redis is away; the connection says why not, which the probe reports.
 */
@Injectable()
export class StoreHealthIndicator {
  constructor(
    private readonly store: TokenStore,
    private readonly health: HealthIndicatorService,
    private readonly storage: StorageSettings,
    private readonly clock: Clock,
    // Bound only when the store is Redis.
    @Optional() private readonly redis?: RedisConnection,
  ) {}

  async check(key = 'store'): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    const { kind } = this.storage;
    const started = this.clock.now().getTime();
    try {
      await withTimeout(this.redis ? this.redis.readiness() : this.store.ping(), STORE_PING_TIMEOUT_MS);
      return indicator.up({ kind, latencyMs: this.clock.now().getTime() - started });
    } catch (error) {
      return indicator.down({ kind, message: messageOf(error, kind) });
    }
  }
}

function messageOf(error: unknown, kind: string): string {
  if (error === TIMED_OUT) return `${kind} did not answer a ping within ${STORE_PING_TIMEOUT_MS} ms`;
  // Written by the vault from codes and Redis's first word: safe to show.
  if (error instanceof StoreRefusal) return error.reason;
  return `${kind} refused a ping`;
}

const TIMED_OUT = new Error('timed out');

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(TIMED_OUT), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
