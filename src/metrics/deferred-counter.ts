import { Counter, Registry } from 'prom-client';
import { labelChildren } from './label-children';

/** One series of a deferred counter, as the hot path holds it. */
export interface Tally {
  inc(): void;
}

class PendingTally implements Tally {
  pending = 0;

  constructor(readonly labels: Record<string, string>) {}

  inc(): void {
    this.pending += 1;
  }
}

/**
 * A prom-client Counter for the token read path: an increment is an addition to a plain number kept per label
 * values, handed to the counter when it is scraped (its collect). prom-client's own `inc` checks and hashes the
 * labels every time, which costs a served read a few tenths of a microsecond per counter. A series exists, at 0,
 * from the first time its label values are asked for.
 */
export function deferredCounter(config: { name: string; help: string; labelNames: readonly string[]; registers: Registry[] }): (...values: string[]) => Tally {
  const tallies: PendingTally[] = [];
  const counter = new Counter({
    ...config,
    collect() {
      for (const tally of tallies) {
        if (tally.pending === 0) continue;
        this.inc(tally.labels, tally.pending);
        tally.pending = 0;
      }
    },
  });
  return labelChildren((...values) => {
    const tally = new PendingTally(Object.fromEntries(config.labelNames.map((name, index) => [name, values[index]])));
    counter.inc(tally.labels, 0);
    tallies.push(tally);
    return tally;
  });
}
