import { existsSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** How often the watcher asks for a turn of the event loop. */
const TICK_MS = 1;

/** Linux's count of the nanoseconds this thread (the event loop's) has been on a CPU. */
const THREAD_SCHEDSTAT = '/proc/thread-self/schedstat';

export interface Stalls {
  /** The longest the loop was late for a turn, by the clock on the wall (perf_hooks' monitorEventLoopDelay). */
  longestMs: number;
  /**
   * The longest code held the loop between two turns, whatever the machine's load: for each gap, the lesser of its
   * wall-clock time and the CPU time the loop's own thread used in it. On a busy machine the wall clock also counts
   * the time the process waited for a CPU at all; the process's CPU time would also count the garbage collector's
   * concurrent threads, which hold nothing, so the thread's own is read where Linux gives it.
   */
  longestHeldMs: number;
}

/**
 * Watches the event loop while `work` runs. The heap is collected first: a Jest worker keeps hundreds of
 * megabytes of the files it ran before, and a full collection of them, landing in the work, would be charged to it.
 */
export async function stallsDuring(work: () => Promise<unknown>): Promise<Stalls> {
  collectGarbage();
  const delay = monitorEventLoopDelay({ resolution: TICK_MS * 5 });
  let longestHeldMs = 0;
  let lastCpuMs = loopThreadCpuMs();
  let lastWall = process.hrtime.bigint();
  const watcher = setInterval(() => {
    const cpuMs = loopThreadCpuMs();
    const wall = process.hrtime.bigint();
    const held = Math.min(cpuMs - lastCpuMs, Number(wall - lastWall) / 1e6 - TICK_MS);
    longestHeldMs = Math.max(longestHeldMs, held);
    lastCpuMs = cpuMs;
    lastWall = wall;
  }, TICK_MS);
  delay.enable();
  try {
    await work();
  } finally {
    delay.disable();
    clearInterval(watcher);
  }
  return { longestMs: delay.max / 1e6, longestHeldMs };
}

const hasThreadSchedstat = existsSync(THREAD_SCHEDSTAT);

/** The loop's thread's CPU time, or where Linux does not say, the whole process's. */
function loopThreadCpuMs(): number {
  if (hasThreadSchedstat) return Number(readFileSync(THREAD_SCHEDSTAT, 'latin1').split(' ')[0]) / 1e6;
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** V8's `gc()`, which Node gives only to a context made after the flag is set. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
