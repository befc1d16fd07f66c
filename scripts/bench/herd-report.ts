import { availableParallelism } from 'node:os';
import type { HerdOptions } from './options';
import { percentile } from './paced-load';
import { alignedRows, describeVerdict, fixed, judged, median, Target } from './report';

/** Milliseconds from a login's callback being sent to each of its herd having its token. */
export interface Spread {
  count: number;
  /** The first to have it. */
  min: number;
  p50: number;
  p99: number;
  max: number;
}

export interface ReplicaFigures {
  name: string;
  /** What it held open when every request was held: reads with ?wait, event streams. */
  held: number;
  /** Resident set before anything was held (after the warm-up) and with everything held, MiB. */
  rssBeforeMiB: number | null;
  rssHeldMiB: number | null;
  /** (held − before) / held, KiB: what one held request costs the replica. */
  kibPerHeld: number | null;
  /** CPU time the process spent from each callback being sent to the last of its herd having its token, summed, ms. */
  herdCpuMs: number | null;
  /** Its own waiters and streams. */
  waiters: Spread;
  streams: Spread;
}

/** The plain reads each replica served meanwhile, with --load. */
export interface LoadFigures {
  /** Reads a second asked of each replica. */
  rate: number;
  /** Each replica's p99 of those reads, ms. */
  p99Ms: number[];
  /** Those not answered 200. */
  refused: number;
}

/** One login and its herd. */
export interface LoginFigures {
  account: string;
  callbackMs: number;
  waiters: Spread;
  streams: Spread;
  /** Each replica's CPU from the callback to its herd's last token. */
  cpuMs: number[];
  /** What Redis ran meanwhile, by command, scripts' commands included. */
  redisCommands: Record<string, number>;
}

export interface HerdRun {
  /** Each login in turn: the first meets code the replicas have not run yet, the later ones less of it. */
  logins: LoginFigures[];
  waiters: Spread;
  streams: Spread;
  /** Each login's callback, from sent to answered, ms. */
  callbackMs: number[];
  replicas: ReplicaFigures[];
  redisHerdCpuMs: number | null;
  /** The same for the two processes that hold the herd (the load generators). */
  holdersHerdCpuMs: number | null;
  load: LoadFigures | null;
  /** Held requests that never had their token, by what came instead. */
  failures: Record<string, number>;
}

/** Medians over the runs: the p99s, the logins' callbacks, each run's dearer replica's KiB per held request. */
export interface HerdMedians {
  waitersP99: number;
  streamsP99: number;
  callbackMs: number;
  kibPerHeld: number | null;
  /** Both replicas' CPU in the herds of a run, added up. */
  herdCpuMs: number | null;
}

export interface HerdReport {
  settings: Omit<HerdOptions, 'out'> & { node: string; cpus: number; at: string };
  runs: HerdRun[];
  median: HerdMedians;
  verdicts: Target[];
  /** With --compare: the other build's runs, made in turn with these. */
  compare?: { bundle: string; runs: HerdRun[]; median: HerdMedians };
}

/** The herd's targets: every held request has its token within 100 ms of the callback (p99), at ≤ 20 KiB each. */
export const TARGETS_OF_THE_HERD = { p99Ms: 100, kibPerHeld: 20 } as const;

export function spreadOf(millis: number[]): Spread {
  return { count: millis.length, min: millis.length ? Math.min(...millis) : Number.NaN, p50: percentile(millis, 0.5), p99: percentile(millis, 0.99), max: millis.length ? Math.max(...millis) : Number.NaN };
}

function mediansOf(runs: HerdRun[]): HerdMedians {
  // A run's cost per held request is its dearer replica's.
  const perHeld = runs.map((run) => Math.max(...run.replicas.map((replica) => replica.kibPerHeld ?? Number.NaN)));
  const cpu = runs.map((run) => run.replicas.reduce((sum, replica) => sum + (replica.herdCpuMs ?? Number.NaN), 0));
  return {
    waitersP99: median(runs.map((run) => run.waiters.p99)),
    streamsP99: median(runs.map((run) => run.streams.p99)),
    callbackMs: median(runs.flatMap((run) => run.callbackMs)),
    kibPerHeld: perHeld.some(Number.isNaN) ? null : median(perHeld),
    herdCpuMs: cpu.some(Number.isNaN) ? null : median(cpu),
  };
}

export function buildHerdReport(options: HerdOptions, runs: HerdRun[], compareRuns: HerdRun[] | null = null): HerdReport {
  const { out: _out, ...settings } = options;
  const ofRuns = mediansOf(runs);
  const verdicts = [
    ...(options.waiters > 0 ? [judged('waiters p99 ms', ofRuns.waitersP99, TARGETS_OF_THE_HERD.p99Ms, 'max')] : []),
    ...(options.streams > 0 ? [judged('streams p99 ms', ofRuns.streamsP99, TARGETS_OF_THE_HERD.p99Ms, 'max')] : []),
    judged('KiB per held request', ofRuns.kibPerHeld, TARGETS_OF_THE_HERD.kibPerHeld, 'max'),
  ];
  const report: HerdReport = { settings: { ...settings, node: process.version, cpus: availableParallelism(), at: new Date().toISOString() }, runs, median: ofRuns, verdicts };
  if (compareRuns && options.compareBundle) report.compare = { bundle: options.compareBundle, runs: compareRuns, median: mediansOf(compareRuns) };
  return report;
}

const each = (run: HerdRun, figure: (replica: ReplicaFigures) => string) => run.replicas.map(figure).join(' / ');

const COLUMNS: Array<{ title: string; cell: (run: HerdRun) => string }> = [
  { title: 'waiters p50', cell: (run) => fixed(run.waiters.p50, 1) },
  { title: 'p99', cell: (run) => fixed(run.waiters.p99, 1) },
  { title: 'max', cell: (run) => fixed(run.waiters.max, 1) },
  { title: 'streams p50', cell: (run) => fixed(run.streams.p50, 1) },
  { title: 'p99', cell: (run) => fixed(run.streams.p99, 1) },
  { title: 'max', cell: (run) => fixed(run.streams.max, 1) },
  { title: 'callback', cell: (run) => fixed(median(run.callbackMs), 1) },
  { title: 'RSS before MiB', cell: (run) => each(run, (replica) => fixed(replica.rssBeforeMiB, 1)) },
  { title: 'RSS held MiB', cell: (run) => each(run, (replica) => fixed(replica.rssHeldMiB, 1)) },
  { title: 'KiB/held', cell: (run) => each(run, (replica) => fixed(replica.kibPerHeld, 1)) },
  { title: 'herd CPU ms', cell: (run) => `${each(run, (replica) => fixed(replica.herdCpuMs))} +${fixed(run.redisHerdCpuMs)} (${fixed(run.holdersHerdCpuMs)})` },
  { title: 'no token', cell: (run) => String(Object.values(run.failures).reduce((sum, count) => sum + count, 0)) },
];

/** With --load: the plain reads' p99 on each replica, and how many were not answered 200. */
const LOAD_COLUMNS: Array<{ title: string; cell: (run: HerdRun) => string }> = [
  { title: 'load p99 ms', cell: (run) => run.load?.p99Ms.map((p99) => fixed(p99, 1)).join(' / ') ?? 'n/a' },
  { title: 'load non-200', cell: (run) => String(run.load?.refused ?? 'n/a') },
];

function table(runs: HerdRun[], columns: typeof COLUMNS, name = ''): string[] {
  return alignedRows([[`${name}run`, ...columns.map((column) => column.title)], ...runs.map((run, index) => [`${name}${index + 1}`, ...columns.map((column) => column.cell(run))])]);
}

const describeMedians = (medians: HerdMedians) =>
  `waiters p99 ${fixed(medians.waitersP99, 1)} ms, streams p99 ${fixed(medians.streamsP99, 1)} ms, callback ${fixed(medians.callbackMs, 1)} ms, ${fixed(medians.kibPerHeld, 1)} KiB per held request, herd CPU ${fixed(medians.herdCpuMs)} ms`;

export function formatHerdTable(report: HerdReport): string {
  const columns = report.settings.load > 0 ? [...COLUMNS, ...LOAD_COLUMNS] : COLUMNS;
  const lines = table(report.runs, columns);
  const { waiters, streams, accounts, clients, keepAlive, load, runs, node, cpus } = report.settings;
  const held = report.runs[0].replicas.map((replica) => `${replica.name} ${replica.held}`).join(', ');
  lines.push(
    '',
    `${waiters.toLocaleString('en-US')} reads held with ?wait=30 (${keepAlive ? 'kept alive' : 'Connection: close'}) and ${streams.toLocaleString('en-US')} event streams (${held} held), for ${accounts} account${accounts === 1 ? '' : 's'}, by ${clients} clients; ${accounts === 1 ? 'one login' : `${accounts} logins, one after another,`} through the first replica${load > 0 ? `, while each replica serves ${load.toLocaleString('en-US')} plain reads a second` : ''}; ${runs} run${runs === 1 ? '' : 's'}; node ${node}, ${cpus} CPUs.`,
    'Waiters and streams: ms from their login\'s callback being sent to their token (or token.stored) having come. callback: the callback\'s own ms, the median of the logins.',
    'RSS: each replica (a / b), before holding (after a warm-up of plain reads) and with everything held; KiB/held: (held − before) / held requests.',
    'herd CPU: each replica\'s CPU from each callback to its herd\'s last token, summed over the logins (+ Redis\'s; the load generators\' in parentheses).',
    `medians of the runs: ${describeMedians(report.median)}.`,
    `targets of the herd: ${report.verdicts.map(describeVerdict).join('; ')}.`,
  );
  const { compare } = report;
  if (compare) {
    lines.push('', `compare: ${compare.bundle}, in the same runs, taking turns to go first:`, '', ...table(compare.runs, columns, 'c'), '', `its medians: ${describeMedians(compare.median)}.`);
  }
  return lines.join('\n');
}
