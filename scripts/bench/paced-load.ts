import { Pool } from 'undici';
import type { LoadResult } from './load';

/** How long to wait, past the last request's turn, for the answers still out. */
const DRAIN_MS = 10_000;

/**
 * Requests at a fixed rate, each sent when its turn comes whether or not those before it were answered (an open
 * loop), its latency counted from when it was handed to the connection pool, so that a request waiting there for a
 * connection a slow answer holds counts that wait: what a fleet of services asking on their own clocks sees, a
 * server that falls behind included. (Counted from its turn instead, every latency would also carry the timer's own
 * lateness, up to a millisecond, which is the load generator's and not the server's.) autocannon's rate does not do this: it is a quota per
 * connection per second, which each connection sends back to back at the start of the second before idling out the
 * rest, so its latencies at a "rate" are those of a burst.
 *
 * A timer wakes every millisecond or so and sends the requests whose turn has come (five at a time at 5,000 a
 * second); connections are kept alive, at most one request on each. The warm-up and the measured run share them:
 * a measured run that opened its own would start with the target accepting and setting up some 64 connections at
 * once while the requests queue, a burst of slow answers that belongs to no steady state (the README's Performance
 * section has what it did to the p99).
 */
export class PacedLoad {
  private readonly pool: Pool;
  private readonly path: string;

  constructor(
    url: string,
    private readonly headers: Record<string, string>,
    private readonly rate: number,
    connections: number,
  ) {
    const target = new URL(url);
    this.pool = new Pool(target.origin, { connections, pipelining: 1 });
    this.path = `${target.pathname}${target.search}`;
  }

  async run(durationSeconds: number): Promise<LoadResult> {
    const { pool, path, headers } = this;
    const total = Math.round(this.rate * durationSeconds);
    const intervalMs = 1000 / this.rate;
    const latencies: number[] = [];
    const statusCodes: Record<string, number> = {};
    let answered = 0;
    let non2xx = 0;
    let errors = 0;
    let lastAnswerAt = 0;

    const send = () => {
      const handed = performance.now();
      return pool.request({ path, method: 'GET', headers }).then(
        async ({ statusCode, body }) => {
          await body.dump();
          const now = performance.now();
          statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
          if (statusCode >= 200 && statusCode < 300) latencies.push(now - handed);
          else non2xx += 1;
          answered += 1;
          lastAnswerAt = now;
        },
        () => {
          errors += 1;
        },
      );
    };

    const started = performance.now();
    const out: Array<Promise<void>> = [];
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        const due = Math.min(total, Math.floor((now - started) / intervalMs) + 1);
        while (out.length < due) out.push(send());
        if (out.length < total) setTimeout(tick, Math.max(0, started + out.length * intervalMs - performance.now()));
        else resolve();
      };
      tick();
    });
    let timedOut = false;
    let drainTimer: NodeJS.Timeout | undefined;
    const drained = new Promise<void>((resolve) => {
      drainTimer = setTimeout(() => {
        timedOut = true;
        resolve();
      }, DRAIN_MS).unref();
    });
    await Promise.race([Promise.all(out).then(() => undefined), drained]);
    clearTimeout(drainTimer);
    const seconds = ((lastAnswerAt || performance.now()) - started) / 1000;
    return {
      requestsPerSecond: answered / seconds,
      latencyMs: { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) },
      requests: answered,
      non2xx,
      errors,
      timeouts: timedOut ? total - answered - errors : 0,
      statusCodes,
    };
  }

  /** The load generator leaves its connections to its exit, after its answer; a test in one process closes them. */
  close(): Promise<void> {
    return this.pool.destroy();
  }
}

/** Nearest-rank percentile; NaN when nothing answered 2xx, which the report shows as such. */
export function percentile(values: number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}
