import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { labelChildren } from '../metrics/label-children';
import { VaultMetrics } from '../metrics/vault-metrics';
import { BrokerError } from './broker-error';

/** Pocketful's endpoints the vault calls: the code exchange (`/oauth2/token`) and the account check. */
export type BrokerEndpoint = 'token' | 'trading_info';

/** Up to the longest POCKETFUL_TIMEOUT_MS anyone should set. */
const BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * `token_vault_broker_requests_total{endpoint,outcome}` and `token_vault_broker_request_duration_seconds{endpoint}`:
 * every call to Pocketful, by what it came to: `ok`, or the BrokerError's failure (rejected, unauthorized,
 * unavailable, timeout, malformed), or `error` for anything else. Never the code, the token or the URL.
 */
@Injectable()
export class BrokerMetrics {
  private readonly calls: (endpoint: string, outcome: string) => Counter.Internal;
  private readonly durations: (endpoint: string) => Histogram.Internal<'endpoint'>;

  constructor(metrics: VaultMetrics) {
    const registers = [metrics.registry];
    const calls = new Counter({
      name: 'token_vault_broker_requests_total',
      help: 'Calls to Pocketful by endpoint (token: the code exchange; trading_info) and outcome: ok, rejected, unauthorized, unavailable, timeout, malformed, error.',
      labelNames: ['endpoint', 'outcome'] as const,
      registers,
    });
    const durations = new Histogram({
      name: 'token_vault_broker_request_duration_seconds',
      help: 'Time a call to Pocketful took, whatever it came to, by endpoint.',
      labelNames: ['endpoint'] as const,
      buckets: BUCKETS,
      registers,
    });
    this.calls = labelChildren((endpoint, outcome) => calls.labels(endpoint, outcome));
    this.durations = labelChildren((endpoint) => durations.labels(endpoint));
    // Present from the start, so that the first failure of a day shows in a rate.
    for (const endpoint of ['token', 'trading_info'] satisfies BrokerEndpoint[]) {
      for (const outcome of ['ok', 'unavailable', 'timeout', 'malformed']) this.calls(endpoint, outcome).inc(0);
    }
  }

  /** Runs one call to Pocketful, timed and counted by its outcome; its answer or error passes through unchanged. */
  async measure<T>(endpoint: BrokerEndpoint, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    let outcome = 'error';
    try {
      const answer = await call();
      outcome = 'ok';
      return answer;
    } catch (error) {
      if (error instanceof BrokerError) outcome = error.failure;
      throw error;
    } finally {
      this.durations(endpoint).observe((performance.now() - started) / 1000);
      this.calls(endpoint, outcome).inc();
    }
  }
}
