import { collectDefaultMetrics, Registry } from 'prom-client';
import { collectProcessMetrics, LEFT_OUT, PROCESS_METRICS } from './process-metrics';

describe('process metrics', () => {
  it("are prom-client's default metrics but for those left out, so that an upgrade adding one is noticed", () => {
    const expected = collectDefaultMetrics.metricsList.filter((name) => !(LEFT_OUT as readonly string[]).includes(name));
    expect(Object.keys(PROCESS_METRICS).sort()).toEqual(expected.sort());
  });

  it('register the process, event loop and heap metrics, and no GC duration histogram', async () => {
    const registry = new Registry();
    collectProcessMetrics(registry, 'token_vault_');
    const names = registry.getMetricsAsArray().map((metric) => metric.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'token_vault_process_cpu_seconds_total',
        'token_vault_process_resident_memory_bytes',
        'token_vault_nodejs_eventloop_lag_seconds',
        'token_vault_nodejs_heap_size_used_bytes',
        'token_vault_nodejs_version_info',
      ]),
    );
    expect(names.filter((name) => name.includes('gc'))).toEqual([]);
    expect(await registry.metrics()).toContain('token_vault_process_cpu_seconds_total');
  });
});
