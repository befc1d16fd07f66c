import { readdirSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { Counter, Gauge, Registry } from 'prom-client';

/** How finely the event loop's delay is sampled, in ms. */
const LAG_RESOLUTION_MS = 10;

/**
 * The process's own figures under the names Prometheus's client libraries give them (process_*, nodejs_*), read
 * when scraped, through prom-client's public Counter and Gauge. Not its collectDefaultMetrics: that always adds
 * nodejs_gc_duration_seconds, whose observer of every garbage collection slows every request on Node 20, and has no
 * switch to leave it out; the same build with it answered a tenth fewer token reads a second in the bench (README,
 * Performance). A collector's pause still shows, in the event loop's delay. Returns what stops the sampling of the
 * event loop.
 */
export function collectProcessMetrics(registry: Registry, prefix: string): () => void {
  const registers = [registry];
  const name = (suffix: string) => `${prefix}${suffix}`;
  const gauge = (suffix: string, help: string, value: () => number | null) =>
    new Gauge({
      name: name(suffix),
      help,
      registers,
      collect() {
        const current = value();
        if (current !== null) this.set(current);
      },
    });

  const cpuUser = new Counter({ name: name('process_cpu_user_seconds_total'), help: 'User CPU time spent, in seconds.', registers });
  const cpuSystem = new Counter({ name: name('process_cpu_system_seconds_total'), help: 'System CPU time spent, in seconds.', registers });
  let cpuCounted = { user: 0, system: 0 };
  new Counter({
    name: name('process_cpu_seconds_total'),
    help: 'User and system CPU time spent, in seconds.',
    registers,
    collect() {
      const usage = process.cpuUsage();
      const user = (usage.user - cpuCounted.user) / 1e6;
      const system = (usage.system - cpuCounted.system) / 1e6;
      cpuCounted = usage;
      cpuUser.inc(user);
      cpuSystem.inc(system);
      this.inc(user + system);
    },
  });
  new Gauge({ name: name('process_start_time_seconds'), help: 'When the process started, in seconds since the Unix epoch.', registers }).set(
    Math.round(Date.now() / 1000 - process.uptime()),
  );
  gauge('process_resident_memory_bytes', 'Resident memory size, in bytes.', () => process.memoryUsage.rss());
  gauge('process_open_fds', 'Open file descriptors (Linux).', openFileDescriptors);
  gauge('process_max_fds', 'The most file descriptors the process may open (Linux).', maxFileDescriptors);
  gauge('nodejs_heap_size_total_bytes', "V8's heap, in bytes.", () => process.memoryUsage().heapTotal);
  gauge('nodejs_heap_size_used_bytes', "V8's heap in use, in bytes.", () => process.memoryUsage().heapUsed);
  gauge('nodejs_external_memory_bytes', 'Memory of C++ objects bound to JavaScript objects, in bytes.', () => process.memoryUsage().external);
  const heapSpace = (which: string, help: string, value: (space: ReturnType<typeof getHeapSpaceStatistics>[number]) => number) =>
    new Gauge({
      name: name(`nodejs_heap_space_${which}_bytes`),
      help: `${help}, by V8 heap space, in bytes.`,
      labelNames: ['space'] as const,
      registers,
      collect() {
        for (const space of getHeapSpaceStatistics()) this.set({ space: space.space_name }, value(space));
      },
    });
  heapSpace('size', 'The size of the heap', (space) => space.space_size);
  heapSpace('used', 'The heap in use', (space) => space.space_used_size);
  heapSpace('available', 'The heap still available', (space) => space.space_available_size);
  new Gauge({
    name: name('nodejs_active_resources'),
    help: 'What keeps the event loop alive (sockets, timers, file handles), by type.',
    labelNames: ['type'] as const,
    registers,
    collect() {
      const counts = new Map<string, number>();
      for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
      this.reset();
      for (const [type, count] of counts) this.set({ type }, count);
    },
  });

  // The delay the loop took to come round, sampled since the last scrape. The first of these gauges is registered
  // first, so that its collect sets the others before the scrape reads them, and starts the sampling again.
  const delay = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  delay.enable();
  const seconds = (nanoseconds: number) => (Number.isFinite(nanoseconds) ? nanoseconds / 1e9 : 0);
  new Gauge({
    name: name('nodejs_eventloop_lag_seconds'),
    help: "The event loop's delay since the last scrape: the most it took to come round, in seconds.",
    registers,
    collect() {
      shares.p50.set(seconds(delay.percentile(50)));
      shares.p90.set(seconds(delay.percentile(90)));
      shares.p99.set(seconds(delay.percentile(99)));
      shares.min.set(seconds(delay.min));
      shares.max.set(seconds(delay.max));
      shares.mean.set(seconds(delay.mean));
      shares.stddev.set(seconds(delay.stddev));
      this.set(seconds(delay.max));
      delay.reset();
    },
  });
  const lag = (which: string, help: string) => new Gauge({ name: name(`nodejs_eventloop_lag_${which}_seconds`), help: `${help}, in seconds.`, registers });
  const shares = {
    p50: lag('p50', "The event loop's delay since the last scrape: median"),
    p90: lag('p90', "The event loop's delay since the last scrape: 90th percentile"),
    p99: lag('p99', "The event loop's delay since the last scrape: 99th percentile"),
    min: lag('min', "The event loop's delay since the last scrape: least"),
    max: lag('max', "The event loop's delay since the last scrape: most"),
    mean: lag('mean', "The event loop's delay since the last scrape: mean"),
    stddev: lag('stddev', "The event loop's delay since the last scrape: standard deviation"),
  };

  const [major, minor, patch] = process.versions.node.split('.');
  new Gauge({ name: name('nodejs_version_info'), help: 'The Node.js version, as labels.', labelNames: ['version', 'major', 'minor', 'patch'] as const, registers })
    .labels(process.version, major, minor, patch)
    .set(1);
  return () => delay.disable();
}

/** The entries of /proc/self/fd, less the one that reading it opens. */
function openFileDescriptors(): number | null {
  try {
    return readdirSync('/proc/self/fd').length - 1;
  } catch {
    return null;
  }
}

function maxFileDescriptors(): number | null {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8').split('\n').find((line) => line.startsWith('Max open files'));
    const soft = Number(limits?.split(/\s+/)[3]);
    return Number.isFinite(soft) ? soft : null;
  } catch {
    return null;
  }
}
