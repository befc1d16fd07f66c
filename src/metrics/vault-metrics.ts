import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { collectProcessMetrics } from './process-metrics';

/** Series a feature writes out itself, in Prometheus' text format, each line ending in a newline. */
export type MetricsText = () => string | Promise<string>;

/**
 * The vault's Prometheus metrics, in a registry of its own so that two vaults in one process (as in tests) do
 * not share counters, and any text a feature writes itself beside them. Labels hold names and outcomes only: never
 * an account's token, a key or a URL.
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
  private readonly texts: MetricsText[] = [];
  private scraping: Promise<string> | null = null;

  /** Adds series a feature writes itself to every scrape, after the registry's. */
  addText(text: MetricsText): void {
    this.texts.push(text);
  }

  /**
   * Every metric, as a scrape answers it. A scrape that arrives while another is being collected is answered with
   * that one: each collection reads the process's figures, and starts the event loop's delay afresh.
   */
  scrape(): Promise<string> {
    this.scraping ??= this.collect().finally(() => {
      this.scraping = null;
    });
    return this.scraping;
  }

  private async collect(): Promise<string> {
    const parts = await Promise.all([this.registry.metrics(), ...this.texts.map((text) => text())]);
    return parts.join('');
  }

  onApplicationShutdown(): void {
    this.stopProcessMetrics();
  }
}
