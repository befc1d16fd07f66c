import autocannon from 'autocannon';
import type { LoadResult } from './load';
import { PacedLoad, percentile } from './paced-load';

/** What the bench asks of one load generator: a warm-up, then, on `go`, the measured run. */
export interface LoadOrder {
  url: string;
  headers: Record<string, string>;
  connections: number;
  warmUpSeconds: number;
  durationSeconds: number;
  /** Requests a second for a run at a fixed rate (paced-load.ts); absent for a run as fast as the target answers. */
  rate?: number;
}

export type LoadReply = { kind: 'warm' } | { kind: 'measured'; result: LoadResult } | { kind: 'failed'; error: string };

/**
 * Latencies are taken from each response rather than from autocannon's histogram, which keeps whole
 * milliseconds: a bare server answers in well under one, and its p50 would read as 0 or 1. As in autocannon's
 * own figures, only 2xx answers count towards latency.
 */
function run(url: string, headers: Record<string, string>, connections: number, durationSeconds: number): Promise<LoadResult> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon({ url, headers, connections, duration: durationSeconds }, (error, result) => {
      if (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat.count ?? 0]));
      resolve({
        requestsPerSecond: result.requests.total / result.duration,
        latencyMs: { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) },
        requests: result.requests.total,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        statusCodes,
      });
    });
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
}

/** A process of its own, forked by load.ts for one run: it answers over the IPC channel, then exits. */
function serve(): void {
  const send = (reply: LoadReply) => process.send!(reply);
  const last = (reply: LoadReply) => process.send!(reply, () => process.disconnect());
  const fail = (error: unknown) => last({ kind: 'failed', error: error instanceof Error ? error.message : String(error) });
  // A bench stopped by Ctrl-C, or gone, leaves no load running behind it.
  process.once('disconnect', () => process.exit(0));
  process.once('message', (order: LoadOrder) => {
    const { url, headers, connections, rate } = order;
    // The paced run's connections are closed by this process's exit, after its answer: not in the measured window.
    const paced = rate === undefined ? null : new PacedLoad(url, headers, rate, connections);
    const drive = (seconds: number) => (paced ? paced.run(seconds) : run(url, headers, connections, seconds));
    const warm = order.warmUpSeconds > 0 ? drive(order.warmUpSeconds) : Promise.resolve();
    warm.then(() => {
      process.once('message', () => {
        drive(order.durationSeconds).then((result) => last({ kind: 'measured', result }), fail);
      });
      send({ kind: 'warm' });
    }, fail);
  });
}

if (require.main === module) serve();
