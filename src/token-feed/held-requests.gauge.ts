import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { VaultMetrics } from '../metrics/vault-metrics';
import { HeldKind, HeldRequests } from './held-requests';

const KINDS: readonly HeldKind[] = ['wait', 'events'];

/** `token_vault_held_requests{kind}`: the reads waiting for a token and the event streams open, read at each scrape. */
@Injectable()
export class HeldRequestsGauge {
  constructor(metrics: VaultMetrics, held: HeldRequests) {
    new Gauge({
      name: 'token_vault_held_requests',
      help: 'Requests this replica holds open: reads waiting for a token (wait), event streams (events).',
      labelNames: ['kind'] as const,
      registers: [metrics.registry],
      collect() {
        for (const kind of KINDS) this.set({ kind }, held.count(kind));
      },
    });
  }
}
