import { availableParallelism } from 'node:os';
import { LoadResult, LoadSettings, WARM_UP_SECONDS } from './load';

export const TARGETS = ['bare', 'framework', 'vault'] as const;
export type TargetName = (typeof TARGETS)[number];

export interface Measured extends LoadResult {
  /** Highest resident set of the target's process under load, MiB (null off Linux). */
  peakRssMiB: number | null;
  /** From spawning the process to its first 200: /health/ready for the vault, the token route for the others. */
  readyMs: number;
  /** CPU time of the target per answered request, µs; for the vault, its Redis's apart (null off Linux). */
  cpuMicrosPerRequest: number | null;
  redisCpuMicrosPerRequest: number | null;
}

export interface TargetReport extends Measured {
  ratioToBare: number;
}

export interface BenchReport {
  settings: LoadSettings & { warmUpSeconds: number; node: string; cpus: number; at: string };
  targets: Record<TargetName, TargetReport>;
}

export function buildReport(settings: LoadSettings, measured: Record<TargetName, Measured>): BenchReport {
  const bare = measured.bare.requestsPerSecond;
  const targets = Object.fromEntries(
    TARGETS.map((name) => [name, { ...measured[name], ratioToBare: measured[name].requestsPerSecond / bare }]),
  ) as Record<TargetName, TargetReport>;
  return {
    settings: { ...settings, warmUpSeconds: WARM_UP_SECONDS, node: process.version, cpus: availableParallelism(), at: new Date().toISOString() },
    targets,
  };
}

const COLUMNS: Array<{ title: string; cell: (report: TargetReport) => string }> = [
  { title: 'req/s', cell: (r) => Math.round(r.requestsPerSecond).toLocaleString('en-US') },
  { title: '× bare', cell: (r) => r.ratioToBare.toFixed(2) },
  { title: 'p50 ms', cell: (r) => fixed(r.latencyMs.p50, 2) },
  { title: 'p99 ms', cell: (r) => fixed(r.latencyMs.p99, 2) },
  { title: 'CPU µs/req', cell: (r) => fixed(r.cpuMicrosPerRequest, 0) + (r.redisCpuMicrosPerRequest === null ? '' : ` +${fixed(r.redisCpuMicrosPerRequest, 0)}`) },
  { title: 'peak RSS MiB', cell: (r) => fixed(r.peakRssMiB, 1) },
  { title: 'ready ms', cell: (r) => fixed(r.readyMs, 0) },
  { title: 'non-2xx', cell: (r) => String(r.non2xx + r.errors) },
];

export function formatTable(report: BenchReport): string {
  const rows = [['', ...COLUMNS.map((column) => column.title)], ...TARGETS.map((name) => [name, ...COLUMNS.map((column) => column.cell(report.targets[name]))])];
  const widths = rows[0].map((_, index) => Math.max(...rows.map((row) => row[index].length)));
  const lines = rows.map((row) => row.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]) : cell.padStart(widths[index]))).join('  '));
  const { durationSeconds, connections, warmUpSeconds, node, cpus } = report.settings;
  lines.push(
    '',
    `${durationSeconds} s per target after a ${warmUpSeconds} s warm-up, ${connections} connections, one target at a time; node ${node}, ${cpus} CPUs.`,
    'ready: spawn to first 200 (the vault: /health/ready). non-2xx: non-2xx answers plus connection errors.',
    "CPU µs/req: the target process's CPU time per request under load (+ its Redis's, for the vault).",
  );
  return lines.join('\n');
}

function fixed(value: number | null, digits: number): string {
  return value === null || Number.isNaN(value) ? 'n/a' : value.toFixed(digits);
}
