/**
 * Prometheus' text exposition format, read back for assertions: the samples of a scrape, and the names of the
 * metric families it declares. Written from the format's description rather than with prom-client's help, so that
 * a test of what the vault exports does not read it with the library that wrote it.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/g;
const TYPE = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/;
/** The series a family of each type is sampled as. */
const SERIES: Record<string, string[]> = { histogram: ['_bucket', '_sum', '_count'], summary: ['', '_sum', '_count'] };

const unescape = (value: string) => value.replace(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char));

export class Scrape {
  readonly samples: Sample[];
  /** Every series name the scrape declares, a histogram's `_bucket`, `_sum` and `_count` included, sampled or not. */
  readonly names: ReadonlySet<string>;

  constructor(readonly text: string) {
    const samples: Sample[] = [];
    const names = new Set<string>();
    for (const line of text.split('\n')) {
      const type = TYPE.exec(line);
      if (type) for (const suffix of SERIES[type[2]] ?? ['']) names.add(`${type[1]}${suffix}`);
      if (line === '' || line.startsWith('#')) continue;
      const match = SAMPLE.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, name, value] of (match[2] ?? '').matchAll(LABEL)) labels[name] = unescape(value);
      samples.push({ name: match[1], labels, value: Number(match[3]) });
    }
    this.samples = samples;
    this.names = names;
  }

  /** The value of the one series with exactly these labels, or undefined when there is none. */
  value(name: string, labels: Record<string, string> = {}): number | undefined {
    const wanted = Object.entries(labels);
    return this.samples.find(
      (sample) => sample.name === name && Object.keys(sample.labels).length === wanted.length && wanted.every(([key, value]) => sample.labels[key] === value),
    )?.value;
  }

  /** The series of one name, keyed by their labels written `a=x,b=y` in sorted order. */
  series(name: string): Record<string, number> {
    const series: Record<string, number> = {};
    for (const sample of this.samples) if (sample.name === name) series[labelKey(sample.labels)] = sample.value;
    return series;
  }

  /** What moved in the series of one name since an earlier scrape: the changes only, by labels as `series` keys them. */
  changeSince(earlier: Scrape, name: string): Record<string, number> {
    const before = earlier.series(name);
    const now = this.series(name);
    const changes: Record<string, number> = {};
    for (const key of new Set([...Object.keys(before), ...Object.keys(now)])) {
      const change = (now[key] ?? 0) - (before[key] ?? 0);
      if (change !== 0) changes[key] = change;
    }
    return changes;
  }

  /** Every label value in the scrape. */
  labelValues(): string[] {
    return this.samples.flatMap((sample) => Object.values(sample.labels));
  }
}

export function labelKey(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((key) => `${key}=${labels[key]}`)
    .join(',');
}
