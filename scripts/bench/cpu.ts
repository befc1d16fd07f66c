import { readdirSync, readFileSync } from 'node:fs';

/** Linux counts a process's CPU time in clock ticks, 100 a second on every common kernel. */
const TICKS_PER_SECOND = 100;

/** CPU seconds a process has used so far (user + system), or null where /proc is not there to read. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name, in parentheses, may hold spaces: the fields are counted after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Measures the CPU time some processes spend while `work` runs. */
export async function cpuDuring<T>(pids: number[], work: () => Promise<T>): Promise<{ result: T; cpuSeconds: Array<number | null> }> {
  const before = pids.map(cpuSeconds);
  const result = await work();
  const after = pids.map(cpuSeconds);
  return { result, cpuSeconds: pids.map((_, index) => (before[index] === null || after[index] === null ? null : after[index]! - before[index]!)) };
}

/**
 * CPU seconds a process has used so far, to the nanosecond: the sum of its threads' time on a CPU as the scheduler
 * counts it (/proc/PID/task/TID/schedstat), for spans too short for cpuSeconds' clock ticks. Null off Linux.
 */
export function preciseCpuSeconds(pid: number): number | null {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  let nanos = 0;
  for (const thread of threads) {
    try {
      nanos += Number(readFileSync(`/proc/${pid}/task/${thread}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // A thread that ended since the listing took its time with it.
    }
  }
  return nanos / 1e9;
}
