import type { Registry } from 'prom-client';
import eventLoopLag = require('prom-client/lib/metrics/eventLoopLag');
import heapSizeAndUsed = require('prom-client/lib/metrics/heapSizeAndUsed');
import heapSpacesSizeAndUsed = require('prom-client/lib/metrics/heapSpacesSizeAndUsed');
import osMemoryHeap = require('prom-client/lib/metrics/osMemoryHeap');
import processCpuTotal = require('prom-client/lib/metrics/processCpuTotal');
import processHandles = require('prom-client/lib/metrics/processHandles');
import processMaxFileDescriptors = require('prom-client/lib/metrics/processMaxFileDescriptors');
import processOpenFileDescriptors = require('prom-client/lib/metrics/processOpenFileDescriptors');
import processRequests = require('prom-client/lib/metrics/processRequests');
import processResources = require('prom-client/lib/metrics/processResources');
import processStartTime = require('prom-client/lib/metrics/processStartTime');
import version = require('prom-client/lib/metrics/version');

/**
 * prom-client's default metrics (collectDefaultMetrics) but for `gc`, by the names collectDefaultMetrics.metricsList
 * gives them. `gc` (nodejs_gc_duration_seconds) keeps a PerformanceObserver on every garbage collection for the life
 * of the process, and on Node 20 that alone put some 5–8% of a read's CPU into V8's slow path for the tick objects
 * of process.nextTick, which node:http makes several of for every request (perf: Runtime_DefineKeyedOwnPropertyInLiteral,
 * gone without the observer; prometheus/client_js#490). A pause the collector makes still shows in the event loop
 * lag, and the heap in the heap metrics. Each is imported by name (not by a loop over metricsList) so that the
 * bundle holds them.
 */
export const PROCESS_METRICS = {
  processCpuTotal,
  processStartTime,
  osMemoryHeap,
  processOpenFileDescriptors,
  processMaxFileDescriptors,
  eventLoopLag,
  processResources,
  processHandles,
  processRequests,
  heapSizeAndUsed,
  heapSpacesSizeAndUsed,
  version,
};

/** What collectDefaultMetrics collects and the vault does not. */
export const LEFT_OUT = ['gc'] as const;

/** The settings collectDefaultMetrics would use, with the vault's prefix. */
export function collectProcessMetrics(registry: Registry, prefix: string): void {
  for (const collect of Object.values(PROCESS_METRICS)) collect(registry, { prefix, eventLoopMonitoringPrecision: 10 });
}
