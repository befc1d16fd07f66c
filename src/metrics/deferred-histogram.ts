import { Metric, Registry } from 'prom-client';
import { labelChildren } from './label-children';

/** One series of a deferred histogram, as the hot path holds it. */
export interface Observer {
  observe(value: number): void;
}

class Series implements Observer {
  /** Observations per bucket, not cumulative: the last slot is above the highest bound (+Inf only). */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Record<string, string>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const { bounds } = this;
    let bucket = 0;
    while (bucket < bounds.length && value > bounds[bucket]) bucket += 1;
    this.counts[bucket] += 1;
    this.sum += value;
    this.count += 1;
  }
}

interface HistogramConfig {
  name: string;
  help: string;
  labelNames: readonly string[];
  /** Upper bounds, ascending. */
  buckets: readonly number[];
  registers: Registry[];
}

/**
 * A Prometheus histogram for the token read path: an observation adds to plain numbers kept per label values, and
 * a scrape turns them into the histogram's series. prom-client's Histogram checks the labels and hashes them into
 * a key on every observation, child or not, which costs every served read about a microsecond. The scrape is the
 * one prom-client's Histogram gives for the same observations (deferred-histogram.spec.ts holds the two side by
 * side); the registry takes it as it takes its own metrics, by `get()`. A series exists, at 0, from the first time
 * its label values are asked for.
 */
export function deferredHistogram(config: HistogramConfig): (...values: string[]) => Observer {
  const all: Series[] = [];
  const metric = new DeferredHistogramMetric(config, all);
  for (const registry of config.registers) registry.registerMetric(metric as unknown as Metric);
  return labelChildren((...values) => {
    const series = new Series(Object.fromEntries(config.labelNames.map((name, index) => [name, values[index]])), config.buckets);
    all.push(series);
    return series;
  });
}

/** What a registry reads of a metric at a scrape (prom-client's metric.get()), for a histogram. */
interface Value {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}
interface Scraped {
  name: string;
  help: string;
  type: 'histogram';
  values: Value[];
  aggregator: 'sum';
}

class DeferredHistogramMetric {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;

  constructor(
    private readonly config: HistogramConfig,
    private readonly series: Series[],
  ) {
    this.name = config.name;
    this.help = config.help;
  }

  get(): Promise<Scraped> {
    const { name, buckets } = this.config;
    const values: Value[] = [];
    for (const series of this.series) {
      let cumulative = 0;
      buckets.forEach((bound, bucket) => {
        cumulative += series.counts[bucket];
        values.push({ metricName: `${name}_bucket`, labels: { le: bound, ...series.labels }, value: cumulative });
      });
      values.push({ metricName: `${name}_bucket`, labels: { le: '+Inf', ...series.labels }, value: series.count });
      values.push({ metricName: `${name}_sum`, labels: series.labels, value: series.sum });
      values.push({ metricName: `${name}_count`, labels: series.labels, value: series.count });
    }
    return Promise.resolve({ name, help: this.help, type: this.type, values, aggregator: this.aggregator });
  }

  /** Registry.resetMetrics(): every series back to 0, still shown. */
  reset(): void {
    for (const series of this.series) {
      series.counts.fill(0);
      series.sum = 0;
      series.count = 0;
    }
  }
}
