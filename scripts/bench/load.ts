import { fork } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { LoadOrder, LoadReply } from './load-generator';

export interface LoadSettings {
  durationSeconds: number;
  /**
   * Long enough for V8 to optimise the hot path. The fixed-rate run goes on on the warm-up's connections; a run at
   * full speed opens its own (autocannon's instances share none), a few milliseconds of its seconds.
   */
  warmUpSeconds: number;
  connections: number;
  rounds: number;
  /** Requests a second of the run at a fixed rate that follows each target's run at full speed; 0 for none. */
  rate: number;
  profileDir?: string | null;
  /** Another build of the vault's bundle, run beside this one as the `compare` target, or null. */
  compareBundle?: string | null;
}

export interface LoadResult {
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number };
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

/** Past this beyond the run's own length, the load generator is taken to be stuck. */
const SLACK_MS = 30_000;

/**
 * A warm-up that is thrown away, then the measured run, with the same connections and headers, as fast as the
 * target answers or, given a `rate`, at that rate; `measured` wraps the run alone (to count the CPU it costs). Both are made by a load generator in a process of its own, a fresh one
 * for every run. One process driving every target in turn carried something of each run into the next: a build of
 * the vault driven just after another ran about a tenth faster than the same build driven after the framework
 * server. With a generator per run, the same build driven against itself comes out even.
 */
export async function drive(
  url: string,
  headers: Record<string, string>,
  settings: LoadSettings,
  measured: (run: () => Promise<LoadResult>) => Promise<LoadResult> = (run) => run(),
  rate?: number,
): Promise<LoadResult> {
  const child = fork(join(__dirname, 'load-generator.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`the load generator exited (${signal ?? code}) before it answered`))),
  );
  exited.catch(() => undefined);
  // Each reply answers the last message sent, so none can arrive before it is waited for.
  const reply = async (): Promise<LoadReply> => {
    const [answer] = (await Promise.race([once(child, 'message'), exited])) as [LoadReply];
    if (answer.kind === 'failed') throw new Error(`the load generator failed: ${answer.error}`);
    return answer;
  };
  const stuck = setTimeout(() => child.kill('SIGKILL'), (settings.warmUpSeconds + settings.durationSeconds) * 1000 + SLACK_MS);
  try {
    // The key goes over the IPC channel, never on a command line that `ps` shows.
    const order: LoadOrder = { url, headers, connections: settings.connections, warmUpSeconds: settings.warmUpSeconds, durationSeconds: settings.durationSeconds, rate };
    child.send(order);
    await reply();
    return await measured(async () => {
      child.send('go');
      const answer = await reply();
      if (answer.kind !== 'measured') throw new Error(`the load generator answered ${answer.kind} out of turn`);
      return answer.result;
    });
  } finally {
    clearTimeout(stuck);
    if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}
