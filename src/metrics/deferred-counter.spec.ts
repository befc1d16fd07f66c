import { Registry } from 'prom-client';
import { deferredCounter } from './deferred-counter';

describe('deferredCounter', () => {
  const scrape = async (registry: Registry) => (await registry.metrics()).split('\n').filter((line) => line.startsWith('reads_total'));

  it('hands the increments made since the last scrape to the counter, and only those', async () => {
    const registry = new Registry();
    const reads = deferredCounter({ name: 'reads_total', help: 'reads', labelNames: ['client', 'result'], registers: [registry] });
    reads('a', 'served').inc();
    reads('a', 'served').inc();
    reads('b', 'served').inc();
    expect(await scrape(registry)).toEqual(['reads_total{client="a",result="served"} 2', 'reads_total{client="b",result="served"} 1']);

    reads('a', 'served').inc();
    expect(await scrape(registry)).toEqual(['reads_total{client="a",result="served"} 3', 'reads_total{client="b",result="served"} 1']);
    expect(await scrape(registry)).toEqual(['reads_total{client="a",result="served"} 3', 'reads_total{client="b",result="served"} 1']);
  });

  it('shows a series at 0 once its labels are asked for', async () => {
    const registry = new Registry();
    const reads = deferredCounter({ name: 'reads_total', help: 'reads', labelNames: ['result'], registers: [registry] });
    reads('audit_failed');
    expect(await scrape(registry)).toEqual(['reads_total{result="audit_failed"} 0']);
  });
});
