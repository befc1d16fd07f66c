import { readFileSync } from 'node:fs';

export interface RssSampler {
  /** Stops sampling; the highest resident set seen, in MiB, or null where /proc is not there to read. */
  stop(): number | null;
}

/**
 * Samples a process's resident set every 100 ms from /proc (Linux). VmHWM would be simpler, but it also holds
 * the start-up peak; this sees only the span under load.
 */
export function sampleRss(pid: number, everyMs = 100): RssSampler {
  let peakKiB: number | null = null;
  const sample = () => {
    const kiB = residentKiB(pid);
    if (kiB !== null && (peakKiB === null || kiB > peakKiB)) peakKiB = kiB;
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peakKiB === null ? null : peakKiB / 1024;
    },
  };
}

/** The resident set of a process now, in KiB, or null where /proc is not there to read. */
export function residentKiB(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}
