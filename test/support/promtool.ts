import { spawnSync } from 'node:child_process';
import { promtoolPath } from './required-tools';

export interface PromtoolRun {
  status: number | null;
  /** What it printed, stdout then stderr: where it says what failed. */
  output: string;
}

/** Runs Prometheus' promtool (found or installed before the tests, test/support/required-tools.ts) to its end. */
export function promtool(args: string[], input?: string): PromtoolRun {
  const run = spawnSync(promtoolPath(), args, { input, encoding: 'utf8', timeout: 60_000 });
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}
