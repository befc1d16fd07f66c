import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram } from 'prom-client';
import { HeldAnswerTiming, timeHeldApart } from '../http/request-metrics';
import { labelChildren } from '../metrics/label-children';
import { VaultMetrics } from '../metrics/vault-metrics';
import { MAX_WAIT_SECONDS } from '../tokens/read/waiting-reads';
import { HeldKind, HeldRequests } from './held-requests';

const KINDS: readonly HeldKind[] = ['wait', 'events'];

/** A token there at once (milliseconds), a login in the meantime (seconds), up to the longest wait and its last read. */
const HELD_READ_BUCKETS = [0.005, 0.025, 0.1, 0.5, 1, 2.5, 5, 10, 15, 20, 30, 45, MAX_WAIT_SECONDS, MAX_WAIT_SECONDS + 5];

/**
 * The requests this replica holds open, apart from the request histogram, whose latency they would drown (a read
 * held 9 s is not a slow read): `token_vault_held_read_duration_seconds{status}` for the reads with `?wait`,
 * `token_vault_event_streams_total` for the event streams opened, and `token_vault_held_requests{kind}` for what is
 * held open now, read at each scrape.
 */
@Injectable()
export class HeldRequestMetrics {
  private readonly heldRead: HeldAnswerTiming;
  private readonly streams: Counter;

  constructor(metrics: VaultMetrics, held: HeldRequests) {
    const registers = [metrics.registry];
    new Gauge({
      name: 'token_vault_held_requests',
      help: 'Requests this replica holds open: reads waiting for a token (wait), event streams (events).',
      labelNames: ['kind'] as const,
      registers,
      collect() {
        for (const kind of KINDS) this.set({ kind }, held.count(kind));
      },
    });
    const heldReads = new Histogram({
      name: 'token_vault_held_read_duration_seconds',
      help: 'Time from a token read with ?wait arriving to its answer being sent, by status: how long it was held.',
      labelNames: ['status'] as const,
      buckets: HELD_READ_BUCKETS,
      registers,
    });
    const series = labelChildren((status) => heldReads.labels(status));
    this.heldRead = (seconds, status) => series(String(status)).observe(seconds);
    this.streams = new Counter({ name: 'token_vault_event_streams_total', help: 'Event streams (GET /v1/events) opened.', registers });
  }

  /** A read with ?wait, timed here once answered rather than as a request. */
  heldReadBegins(request: FastifyRequest): void {
    timeHeldApart(request, this.heldRead);
  }

  /** An event stream, counted as it opens; how many are open is the gauge's. */
  streamOpens(request: FastifyRequest): void {
    timeHeldApart(request);
    this.streams.inc();
  }
}
