import { Histogram, Registry } from 'prom-client';
import { deferredHistogram } from './deferred-histogram';

const config = (registry: Registry) => ({
  name: 'request_seconds',
  help: 'How long a request took.',
  labelNames: ['route', 'status'] as const,
  buckets: [0.001, 0.01, 0.1, 1],
  registers: [registry],
});

/** The same observations through prom-client's own Histogram and through the deferred one. */
function sideBySide() {
  const own = new Registry();
  const deferred = new Registry();
  const histogram = new Histogram(config(own));
  const series = deferredHistogram(config(deferred));
  const observe = (route: string, status: string, value: number) => {
    histogram.labels(route, status).observe(value);
    series(route, status).observe(value);
  };
  return { own, deferred, observe, series, histogram };
}

describe('deferredHistogram', () => {
  it('scrapes exactly as prom-client’s Histogram does for the same observations', async () => {
    const { own, deferred, observe } = sideBySide();
    // Below the first bound, on bounds, between them and above the last.
    for (const value of [0.0002, 0.001, 0.004, 0.01, 0.05, 0.1, 0.5, 1, 3]) observe('/v1/tokens/:clientId', '200', value);
    observe('/v1/tokens/:clientId', '404', 0.002);
    observe('/health/ready', '200', 0.0007);
    expect(await deferred.metrics()).toBe(await own.metrics());
    expect(await deferred.metrics()).toContain('request_seconds_bucket{le="0.01",route="/v1/tokens/:clientId",status="200"} 4');
  });

  it('keeps counting across scrapes, as a histogram does', async () => {
    const { own, deferred, observe } = sideBySide();
    observe('/a', '200', 0.005);
    await deferred.metrics();
    observe('/a', '200', 0.5);
    expect(await deferred.metrics()).toBe(await own.metrics());
    expect(await deferred.metrics()).toContain('request_seconds_count{route="/a",status="200"} 2');
  });

  it('shows a series at 0 once its labels are asked for', async () => {
    const registry = new Registry();
    const series = deferredHistogram(config(registry));
    series('/a', '503');
    const text = await registry.metrics();
    expect(text).toContain('request_seconds_bucket{le="+Inf",route="/a",status="503"} 0');
    expect(text).toContain('request_seconds_sum{route="/a",status="503"} 0');
  });

  it('goes back to 0 when the registry is reset, the series still shown', async () => {
    const registry = new Registry();
    const series = deferredHistogram(config(registry));
    series('/a', '200').observe(0.02);
    registry.resetMetrics();
    expect(await registry.metrics()).toContain('request_seconds_count{route="/a",status="200"} 0');
  });

  it('cannot take a name another metric of the registry has', () => {
    const registry = new Registry();
    new Histogram({ ...config(registry), name: 'request_seconds' });
    expect(() => deferredHistogram(config(registry))).toThrow('already been registered');
  });
});
