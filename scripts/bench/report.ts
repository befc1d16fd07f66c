import { availableParallelism } from 'node:os';
import { LoadResult, LoadSettings } from './load';

/** Every target, in the order of the table; `compare` only with --compare. */
export const TARGETS = ['bare', 'framework', 'hop', 'vault', 'compare'] as const;
export type TargetName = (typeof TARGETS)[number];
/** One thing per target: always the bare server, the framework server, the hop and the vault, and the compared build if any. */
export type PerTarget<T> = Record<Exclude<TargetName, 'compare'>, T> & { compare?: T };

/** The targets a run drove, in the table's order. */
export const targetsOf = (perTarget: PerTarget<unknown>): TargetName[] => TARGETS.filter((name) => perTarget[name] !== undefined);

/** The run at a fixed rate (paced-load.ts). */
export interface AtRate extends Omit<LoadResult, 'statusCodes'> {
  rate: number;
}

export interface Measured extends LoadResult {
  /** The fixed-rate run that followed, or null with --rate 0. */
  atRate: AtRate | null;
  /** Highest resident set of the target's process under load, MiB (null off Linux). */
  peakRssMiB: number | null;
  /** From spawning the process to its first 200: /health/ready for the vault, the token route for the others. */
  readyMs: number;
  /** CPU time of the target per answered request, µs; for the vault, its Redis's apart (null off Linux). */
  cpuMicrosPerRequest: number | null;
  redisCpuMicrosPerRequest: number | null;
}

export interface TargetReport extends Measured {
  /** The median over the rounds of the target's req/s over the bare server's in the same round. */
  ratioToBare: number;
  /** The lowest and the highest of those ratios: how far one round can be from the median on this host. */
  ratioRange: [number, number];
  /** The same for p99 latency: the target's p99 over the bare server's, the median of the rounds. */
  p99RatioToBare: number;
  /** The median over the rounds of the target's req/s over the framework server's in the same round. */
  ratioToFramework: number;
  /** The same for the fixed-rate run's p99 over the bare server's at the same rate; null without that run. */
  p99AtRateRatioToBare: number | null;
}

/** What the read path is built to, each judged on the medians of one run. */
export interface Target {
  name: string;
  value: number | null;
  limit: number;
  /** `min`: the value must be at least the limit; `max`: at most. */
  kind: 'min' | 'max';
  met: boolean;
}

/** The vault beside another build of itself, round by round. */
export interface Comparison {
  /** The other build's bundle. */
  bundle: string;
  /** The median over the rounds of the vault's req/s over the other build's in the same round. */
  vaultOverCompare: number;
  /** The lowest and the highest of those ratios. */
  range: [number, number];
}

/** The vault beside the hop, round by round: what it costs beyond the one round trip to Redis its read needs. */
export interface BesideHop {
  /** The median over the rounds of the vault's req/s over the hop's in the same round. */
  ratio: number;
  /** The same for the fixed-rate run's p99, the vault's over the hop's; null without that run. */
  p99AtRateRatio: number | null;
}

export interface BenchReport {
  settings: LoadSettings & { node: string; cpus: number; at: string };
  /** Each target across the rounds: medians of rates, latencies and CPU, the highest RSS, the sums of refusals. */
  targets: PerTarget<TargetReport>;
  /** Every round as measured, targets by name. */
  rounds: Array<PerTarget<Measured>>;
  besideHop: BesideHop;
  /** With --compare. */
  comparison?: Comparison;
  /** The vault's targets, met or not. */
  verdicts: Target[];
}

export function buildReport(settings: LoadSettings, rounds: Array<PerTarget<Measured>>): BenchReport {
  const of = (round: PerTarget<Measured>, name: TargetName) => round[name]!;
  const targets = Object.fromEntries(
    targetsOf(rounds[0]).map((name) => {
      const runs = rounds.map((round) => of(round, name));
      const ratios = rounds.map((round) => of(round, name).requestsPerSecond / round.bare.requestsPerSecond);
      const p99RatioToBare = median(rounds.map((round) => of(round, name).latencyMs.p99 / round.bare.latencyMs.p99));
      const ratioToFramework = median(rounds.map((round) => of(round, name).requestsPerSecond / round.framework.requestsPerSecond));
      const atRate = rounds.every((round) => of(round, name).atRate && round.bare.atRate);
      const p99AtRateRatioToBare = atRate ? median(rounds.map((round) => of(round, name).atRate!.latencyMs.p99 / round.bare.atRate!.latencyMs.p99)) : null;
      const target: TargetReport = {
        ...acrossRounds(runs),
        ratioToBare: median(ratios),
        ratioRange: [Math.min(...ratios), Math.max(...ratios)],
        p99RatioToBare,
        ratioToFramework,
        p99AtRateRatioToBare,
      };
      return [name, target];
    }),
  ) as PerTarget<TargetReport>;
  const report: BenchReport = {
    settings: { ...settings, node: process.version, cpus: availableParallelism(), at: new Date().toISOString() },
    targets,
    rounds,
    verdicts: verdictsOf(targets.vault),
    besideHop: {
      ratio: median(rounds.map((round) => round.vault.requestsPerSecond / round.hop.requestsPerSecond)),
      p99AtRateRatio: rounds.every((round) => round.vault.atRate && round.hop.atRate)
        ? median(rounds.map((round) => round.vault.atRate!.latencyMs.p99 / round.hop.atRate!.latencyMs.p99))
        : null,
    },
  };
  if (settings.compareBundle) {
    const ratios = rounds.map((round) => round.vault.requestsPerSecond / of(round, 'compare').requestsPerSecond);
    report.comparison = { bundle: settings.compareBundle, vaultOverCompare: median(ratios), range: [Math.min(...ratios), Math.max(...ratios)] };
  }
  return report;
}

function acrossRounds(runs: Measured[]): Measured {
  const medianOf = (value: (run: Measured) => number | null) => {
    const values = runs.map(value);
    return values.some((one) => one === null) ? null : median(values as number[]);
  };
  const sum = (value: (run: Measured) => number) => runs.reduce((total, run) => total + value(run), 0);
  const statusCodes: Record<string, number> = {};
  for (const run of runs) for (const [code, count] of Object.entries(run.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + count;
  const peaks = runs.map((run) => run.peakRssMiB);
  const paced = runs.map((run) => run.atRate);
  const atRate: AtRate | null = paced.some((run) => run === null)
    ? null
    : {
        rate: paced[0]!.rate,
        requestsPerSecond: median(paced.map((run) => run!.requestsPerSecond)),
        latencyMs: { p50: median(paced.map((run) => run!.latencyMs.p50)), p99: median(paced.map((run) => run!.latencyMs.p99)) },
        requests: paced.reduce((total, run) => total + run!.requests, 0),
        non2xx: paced.reduce((total, run) => total + run!.non2xx, 0),
        errors: paced.reduce((total, run) => total + run!.errors, 0),
        timeouts: paced.reduce((total, run) => total + run!.timeouts, 0),
      };
  return {
    atRate,
    requestsPerSecond: medianOf((run) => run.requestsPerSecond)!,
    latencyMs: { p50: medianOf((run) => run.latencyMs.p50)!, p99: medianOf((run) => run.latencyMs.p99)! },
    requests: sum((run) => run.requests),
    non2xx: sum((run) => run.non2xx),
    errors: sum((run) => run.errors),
    timeouts: sum((run) => run.timeouts),
    statusCodes,
    peakRssMiB: peaks.some((peak) => peak === null) ? null : Math.max(...(peaks as number[])),
    readyMs: runs[0].readyMs,
    cpuMicrosPerRequest: medianOf((run) => run.cpuMicrosPerRequest),
    redisCpuMicrosPerRequest: medianOf((run) => run.redisCpuMicrosPerRequest),
  };
}

/** The read's targets: against the framework's ceiling and the bare server, measured in the same run. */
export const TARGETS_OF_THE_READ = { ratioToFramework: 0.75, p99AtRateRatioToBare: 2, peakRssMiB: 150, readySeconds: 1 } as const;

/** A figure against its target: `min`, at least the limit; `max`, at most. No figure (n/a) meets none. */
export const judged = (name: string, value: number | null, limit: number, kind: 'min' | 'max'): Target => ({
  name,
  value,
  limit,
  kind,
  met: value !== null && !Number.isNaN(value) && (kind === 'min' ? value >= limit : value <= limit),
});

function verdictsOf(vault: TargetReport): Target[] {
  return [
    judged('req/s × framework', vault.ratioToFramework, TARGETS_OF_THE_READ.ratioToFramework, 'min'),
    judged('p99 at the fixed rate × bare', vault.p99AtRateRatioToBare, TARGETS_OF_THE_READ.p99AtRateRatioToBare, 'max'),
    judged('peak RSS MiB', vault.peakRssMiB, TARGETS_OF_THE_READ.peakRssMiB, 'max'),
    judged('ready s', vault.readyMs / 1000, TARGETS_OF_THE_READ.readySeconds, 'max'),
  ];
}

/** The middle value; for an even count, the mean of the two middle ones. NaN (no 2xx latency) sorts as it comes. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const COLUMNS: Array<{ title: string; cell: (report: TargetReport) => string }> = [
  { title: 'req/s', cell: (r) => Math.round(r.requestsPerSecond).toLocaleString('en-US') },
  { title: '× bare', cell: (r) => r.ratioToBare.toFixed(2) },
  { title: '× framework', cell: (r) => r.ratioToFramework.toFixed(2) },
  { title: 'p50 ms', cell: (r) => fixed(r.latencyMs.p50, 2) },
  { title: 'p99 ms', cell: (r) => fixed(r.latencyMs.p99, 2) },
  { title: 'rate p50', cell: (r) => fixed(r.atRate?.latencyMs.p50 ?? null, 2) },
  { title: 'rate p99', cell: (r) => fixed(r.atRate?.latencyMs.p99 ?? null, 2) },
  { title: 'rate p99 × bare', cell: (r) => fixed(r.p99AtRateRatioToBare, 2) },
  { title: 'CPU µs/req', cell: (r) => fixed(r.cpuMicrosPerRequest, 0) + (r.redisCpuMicrosPerRequest === null ? '' : ` +${fixed(r.redisCpuMicrosPerRequest, 0)}`) },
  { title: 'peak RSS MiB', cell: (r) => fixed(r.peakRssMiB, 1) },
  { title: 'ready ms', cell: (r) => fixed(r.readyMs, 0) },
  { title: 'non-2xx', cell: (r) => String(r.non2xx + r.errors + (r.atRate ? r.atRate.non2xx + r.atRate.errors + r.atRate.timeouts : 0)) },
];

export function formatTable(report: BenchReport): string {
  const lines = alignedRows([['', ...COLUMNS.map((column) => column.title)], ...targetsOf(report.targets).map((name) => [name, ...COLUMNS.map((column) => column.cell(report.targets[name]!))])]);
  const { durationSeconds, connections, rounds, rate, warmUpSeconds, node, cpus } = report.settings;
  const atRate = rate > 0 ? `, then at ${rate.toLocaleString('en-US')} req/s for as long ("rate": on a steady clock, in ms, from each request's hand-over)` : '';
  lines.push(
    '',
    `${rounds} round${rounds === 1 ? '' : 's'} of ${durationSeconds} s per target as fast as it answers${atRate}, each after a ${warmUpSeconds} s warm-up, ${connections} connections, one target at a time; node ${node}, ${cpus} CPUs.`,
    "Medians over the rounds (× bare, × framework, p99 × bare: of each round's ratio); peak RSS: the highest of any round.",
    'ready: spawn to first 200 (the vault: /health/ready). non-2xx: non-2xx answers plus connection errors.',
    'hop: the framework server answering once one GET has come back from a Redis of its own, the round trip every read of the vault makes, with nothing else of it.',
    "CPU µs/req: the target process's CPU time per request under load (+ its Redis's, for the hop, the vault and a compared build).",
    spread(report),
    `targets of the vault: ${report.verdicts.map(describeVerdict).join('; ')}.`,
    `the vault ÷ the hop, in the same round: req/s ${report.besideHop.ratio.toFixed(2)}, p99 at the fixed rate ${fixed(report.besideHop.p99AtRateRatio, 2)} (medians).`,
  );
  const { comparison } = report;
  if (comparison) {
    const [low, high] = comparison.range;
    lines.push(
      `compare: ${comparison.bundle}, with the vault's settings and a Redis of its own.`,
      `vault ÷ compare, req/s in the same round: ${comparison.vaultOverCompare.toFixed(3)} (the median; the rounds gave ${low.toFixed(3)}–${high.toFixed(3)}).`,
    );
  }
  return lines.join('\n');
}

/**
 * The rounds' spread, so that a reader can tell a host that holds still from one whose speed wanders: × bare of the
 * lowest and the highest round for each target, and the bare server's own lowest and highest req/s.
 */
function spread(report: BenchReport): string {
  const others = targetsOf(report.targets).filter((name) => name !== 'bare');
  const ranges = others.map((name) => {
    const [low, high] = report.targets[name]!.ratioRange;
    return `${name} ${low.toFixed(2)}–${high.toFixed(2)}`;
  });
  const bare = report.rounds.map((round) => round.bare.requestsPerSecond);
  const rate = (value: number) => Math.round(value).toLocaleString('en-US');
  return `× bare, lowest–highest round: ${ranges.join(', ')}; the bare server itself: ${rate(Math.min(...bare))}–${rate(Math.max(...bare))} req/s.`;
}

/** A table's rows as lines: the first column to the left, the others to the right, each as wide as its widest cell. */
export function alignedRows(rows: string[][]): string[] {
  const widths = rows[0].map((_, index) => Math.max(...rows.map((row) => row[index].length)));
  return rows.map((row) => row.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]) : cell.padStart(widths[index]))).join('  '));
}

export function describeVerdict(target: Target): string {
  const sign = target.kind === 'min' ? '≥' : '≤';
  return `${target.name} ${fixed(target.value, 2)} (${sign} ${target.limit}: ${target.met ? 'met' : 'MISSED'})`;
}

export function fixed(value: number | null, digits = 0): string {
  return value === null || Number.isNaN(value) ? 'n/a' : value.toFixed(digits);
}
