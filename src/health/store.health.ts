import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { Clock } from '../clock/clock';
import { StorageSettings } from '../redis/storage.config';
import { TokenStore } from '../tokens/token.store';

export const STORE_PING_TIMEOUT_MS = 1_000;

/** The store answers a ping in time: without it no token can be read or stored. */
@Injectable()
export class StoreHealthIndicator {
  constructor(
    private readonly store: TokenStore,
    private readonly health: HealthIndicatorService,
    private readonly storage: StorageSettings,
    private readonly clock: Clock,
  ) {}

  async check(key = 'store'): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    const { kind } = this.storage;
    const started = this.clock.now().getTime();
    try {
      await withTimeout(this.store.ping(), STORE_PING_TIMEOUT_MS);
      return indicator.up({ kind, latencyMs: this.clock.now().getTime() - started });
    } catch (error) {
      const message = error === TIMED_OUT ? `${kind} did not answer a ping within ${STORE_PING_TIMEOUT_MS} ms` : `${kind} refused a ping`;
      return indicator.down({ kind, message });
    }
  }
}

const TIMED_OUT = new Error('timed out');

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(TIMED_OUT), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
