import { Registry } from 'prom-client';
import { collectProcessMetrics } from './process-metrics';

/** The value of one sample line of a scrape, by its name and labels as written. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((row) => row.startsWith(`${series} `));
  if (line === undefined) throw new Error(`${series} is not in the scrape`);
  return Number(line.slice(series.length + 1));
}

describe(collectProcessMetrics.name, () => {
  let registry: Registry;
  let stop: () => void;

  beforeEach(() => {
    registry = new Registry();
    stop = collectProcessMetrics(registry, 'token_vault_');
  });

  afterEach(() => stop());

  it("registers the process's CPU, memory, file descriptors, heap, event loop delay and version, under the prefix, and no GC histogram", () => {
    const names = registry.getMetricsAsArray().map((metric) => metric.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'token_vault_process_cpu_seconds_total',
        'token_vault_process_cpu_user_seconds_total',
        'token_vault_process_cpu_system_seconds_total',
        'token_vault_process_start_time_seconds',
        'token_vault_process_resident_memory_bytes',
        'token_vault_process_open_fds',
        'token_vault_process_max_fds',
        'token_vault_nodejs_heap_size_total_bytes',
        'token_vault_nodejs_heap_size_used_bytes',
        'token_vault_nodejs_external_memory_bytes',
        'token_vault_nodejs_heap_space_used_bytes',
        'token_vault_nodejs_active_resources',
        'token_vault_nodejs_eventloop_lag_seconds',
        'token_vault_nodejs_eventloop_lag_p99_seconds',
        'token_vault_nodejs_version_info',
      ]),
    );
    expect(names.every((name) => name.startsWith('token_vault_'))).toBe(true);
    expect(names.filter((name) => name.includes('gc'))).toEqual([]);
  });

  it('counts the CPU the process spends between scrapes, user and system making the total', async () => {
    const before = await registry.metrics();
    const until = performance.now() + 30;
    while (performance.now() < until) Math.sqrt(Math.random());
    const after = await registry.metrics();
    const total = sample(after, 'token_vault_process_cpu_seconds_total');
    expect(total).toBeGreaterThan(sample(before, 'token_vault_process_cpu_seconds_total'));
    expect(total).toBeCloseTo(sample(after, 'token_vault_process_cpu_user_seconds_total') + sample(after, 'token_vault_process_cpu_system_seconds_total'), 6);
  });

  it('shows a stalled event loop in the delay since the last scrape, and starts again after each scrape', async () => {
    await registry.metrics();
    await new Promise((resolve) => setTimeout(resolve, 30));
    const until = performance.now() + 300;
    while (performance.now() < until) Math.sqrt(Math.random());
    await new Promise((resolve) => setTimeout(resolve, 30));
    const stalled = await registry.metrics();
    expect(sample(stalled, 'token_vault_nodejs_eventloop_lag_max_seconds')).toBeGreaterThanOrEqual(0.25);
    expect(sample(stalled, 'token_vault_nodejs_eventloop_lag_seconds')).toBe(sample(stalled, 'token_vault_nodejs_eventloop_lag_max_seconds'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const after = sample(await registry.metrics(), 'token_vault_nodejs_eventloop_lag_max_seconds');
    expect(after).toBeLessThan(sample(stalled, 'token_vault_nodejs_eventloop_lag_max_seconds'));
  });

  it('reads memory, file descriptors and the version from the process', async () => {
    const text = await registry.metrics();
    expect(sample(text, 'token_vault_process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sample(text, 'token_vault_nodejs_heap_size_used_bytes')).toBeLessThanOrEqual(sample(text, 'token_vault_nodejs_heap_size_total_bytes'));
    expect(sample(text, 'token_vault_process_open_fds')).toBeGreaterThan(2);
    expect(sample(text, 'token_vault_process_max_fds')).toBeGreaterThanOrEqual(sample(text, 'token_vault_process_open_fds'));
    const [major, minor, patch] = process.versions.node.split('.');
    expect(sample(text, `token_vault_nodejs_version_info{version="${process.version}",major="${major}",minor="${minor}",patch="${patch}"}`)).toBe(1);
    expect(sample(text, 'token_vault_process_start_time_seconds')).toBeCloseTo(Date.now() / 1000 - process.uptime(), -1);
    expect(sample(text, 'token_vault_nodejs_heap_space_used_bytes{space="old_space"}')).toBeGreaterThan(0);
  });

  it('counts what keeps the event loop alive, by type, as it stands at the scrape', async () => {
    const timer = setTimeout(() => undefined, 60_000);
    try {
      expect(sample(await registry.metrics(), 'token_vault_nodejs_active_resources{type="Timeout"}')).toBeGreaterThanOrEqual(1);
    } finally {
      clearTimeout(timer);
    }
  });
});
