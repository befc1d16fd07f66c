import { monitorEventLoopDelay } from 'node:perf_hooks';

/** How often the watcher asks for a turn of the event loop. */
const TICK_MS = 1;

export interface Stalls {
  /** The longest the loop was late for a turn, by the clock on the wall (perf_hooks' monitorEventLoopDelay). */
  longestMs: number;
  /**
   * The longest code held the loop between two turns, whatever the machine's load: for each gap, the lesser of its
   * wall-clock time and the CPU time the process used in it. On a busy machine the wall clock also counts the time
   * the process waited for a CPU at all; the CPU time also counts the garbage collector's helper threads.
   */
  longestHeldMs: number;
}

/** Watches the event loop while `work` runs. */
export async function stallsDuring(work: () => Promise<unknown>): Promise<Stalls> {
  const delay = monitorEventLoopDelay({ resolution: TICK_MS * 5 });
  let longestHeldMs = 0;
  let lastCpu = process.cpuUsage();
  let lastWall = process.hrtime.bigint();
  const watcher = setInterval(() => {
    const cpu = process.cpuUsage(lastCpu);
    const wall = process.hrtime.bigint();
    const held = Math.min((cpu.user + cpu.system) / 1000, Number(wall - lastWall) / 1e6 - TICK_MS);
    longestHeldMs = Math.max(longestHeldMs, held);
    lastCpu = process.cpuUsage();
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
