import autocannon from 'autocannon';

export interface LoadSettings {
  durationSeconds: number;
  connections: number;
  rounds: number;
  profileDir?: string | null;
}

export interface LoadResult {
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number };
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

/** Long enough for V8 to optimise the hot path and for connections to be open before anything is counted. */
export const WARM_UP_SECONDS = 1;

/**
 * A warm-up that is thrown away, then the measured run, with the same connections and headers; `measured` wraps
 * the run alone (to count the CPU it costs).
 */
export async function drive(
  url: string,
  headers: Record<string, string>,
  settings: LoadSettings,
  measured: (run: () => Promise<LoadResult>) => Promise<LoadResult> = (run) => run(),
): Promise<LoadResult> {
  await run(url, headers, settings.connections, WARM_UP_SECONDS);
  return measured(() => run(url, headers, settings.connections, settings.durationSeconds));
}

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

/** Nearest-rank percentile; NaN when nothing answered 2xx, which the report shows as such. */
function percentile(values: number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}
