import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { collectProcessMetrics } from './process-metrics';

/**
 * The vault's Prometheus metrics, in a registry of its own so that two vaults in one process (as in tests) do
 * not share counters. Labels hold names and outcomes only: never an account's token, a key or a URL.
 */
@Injectable()
export class VaultMetrics implements OnApplicationShutdown {
  readonly registry = new Registry();

  readonly alertDeliveries = new Counter({
    name: 'token_vault_alert_deliveries_total',
    help: 'Alert deliveries by channel, alert type and result (sent, failed after retries, deferred while the store was away).',
    labelNames: ['channel', 'type', 'result'] as const,
    registers: [this.registry],
  });

  private readonly stopProcessMetrics = collectProcessMetrics(this.registry, 'token_vault_');

  onApplicationShutdown(): void {
    this.stopProcessMetrics();
  }
}
