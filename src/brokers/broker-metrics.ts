import { Injectable, Optional } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { labelChildren } from '../metrics/label-children';
import { VaultMetrics } from '../metrics/vault-metrics';
import { BrokerId } from './broker-adapter';
import { BrokerError } from './broker-error';
import { BrokersSettings } from './brokers.config';
import { BROKER_IDS } from './accounts';
import { BrokerSettings } from './pocketful/pocketful.config';

/**
 * The endpoints the vault calls at each broker, the code exchange first and the whoami second (then any call the
 * login's start makes), each named as the broker's own API names it: the last segment of its path (Pocketful's
 * /oauth2/token is `token` and /api/v1/user/trading_info `trading_info`, as they always were; Kite's /session/token
 * `token`, Upstox's /v2/user/profile `profile`, Fyers' /api/v3/validate-authcode `validate_authcode`, Dhan's
 * /app/consumeApp-consent `consumeApp_consent` and /app/generate-consent `generate_consent`).
 */
export const BROKER_ENDPOINTS = {
  pocketful: ['token', 'trading_info'],
  zerodha: ['token', 'profile'],
  upstox: ['token', 'profile'],
  fyers: ['validate_authcode', 'profile'],
  dhan: ['consumeApp_consent', 'profile', 'generate_consent'],
} as const satisfies Readonly<Record<BrokerId, readonly string[]>>;

export type BrokerEndpoint<B extends BrokerId = BrokerId> = (typeof BROKER_ENDPOINTS)[B][number];

/** Up to the longest broker timeout anyone should set (POCKETFUL_TIMEOUT_MS, the others' 10 s). */
const BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The failures a rate should see from the first of a day: what says the broker or the way to it is failing. */
const SEEDED_OUTCOMES = ['ok', 'unavailable', 'timeout', 'malformed'];

/**
 * `token_vault_broker_requests_total{broker,endpoint,outcome}` and
 * `token_vault_broker_request_duration_seconds{broker,endpoint}`: every call to every broker (BrokerHttp measures
 * them all), by what it came to: `ok`, or the BrokerError's failure (rejected, unauthorized, unavailable, timeout,
 * malformed), or `error` for anything else. Never the code, the token or the URL.
 */
@Injectable()
export class BrokerMetrics {
  private readonly calls: (broker: string, endpoint: string, outcome: string) => Counter.Internal;
  private readonly durations: (broker: string, endpoint: string) => Histogram.Internal<'broker' | 'endpoint'>;

  /** Without settings (a test's client alone), Pocketful is taken to be on, as AccountBrokers takes it. */
  constructor(metrics: VaultMetrics, @Optional() pocketful?: BrokerSettings, @Optional() brokers?: BrokersSettings) {
    const registers = [metrics.registry];
    const calls = new Counter({
      name: 'token_vault_broker_requests_total',
      help: "Calls to each broker by endpoint (the broker's own name for it: Pocketful's token and trading_info, Zerodha's and Upstox's token and profile, Fyers' validate_authcode and profile, Dhan's generate_consent, consumeApp_consent and profile) and outcome: ok, rejected, unauthorized, unavailable, timeout, malformed, error.",
      labelNames: ['broker', 'endpoint', 'outcome'] as const,
      registers,
    });
    const durations = new Histogram({
      name: 'token_vault_broker_request_duration_seconds',
      help: 'Time a call to a broker took, from the request to the reading of its answer, whatever it came to, by broker and endpoint.',
      labelNames: ['broker', 'endpoint'] as const,
      buckets: BUCKETS,
      registers,
    });
    this.calls = labelChildren((broker, endpoint, outcome) => calls.labels(broker, endpoint, outcome));
    this.durations = labelChildren((broker, endpoint) => durations.labels(broker, endpoint));
    // Present from the start for each broker that is on, so that the first failure of a day shows in a rate.
    const on = BROKER_IDS.filter((broker) => (broker === 'pocketful' ? pocketful?.enabled !== false : Boolean(brokers?.[broker])));
    for (const broker of on) {
      for (const endpoint of BROKER_ENDPOINTS[broker]) {
        for (const outcome of SEEDED_OUTCOMES) this.calls(broker, endpoint, outcome).inc(0);
      }
    }
  }

  /** Runs one call to a broker, timed and counted by its outcome; its answer or error passes through unchanged. */
  async measure<B extends BrokerId, T>(broker: B, endpoint: BrokerEndpoint<B>, call: () => Promise<T>): Promise<T> {
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
      this.durations(broker, endpoint).observe((performance.now() - started) / 1000);
      this.calls(broker, endpoint, outcome).inc();
    }
  }
}
