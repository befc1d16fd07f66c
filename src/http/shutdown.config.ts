import { configSlice } from '../config/config-slice';
import { OptionalWholeNumber } from '../config/variables';

class ShutdownVariables {
  @OptionalWholeNumber(0, 300_000, '$property must be milliseconds from 0 to 300000')
  SHUTDOWN_DRAIN_MS?: number;

  @OptionalWholeNumber(1_000, 600_000, '$property must be milliseconds from 1000 to 600000')
  SHUTDOWN_GRACE_MS?: number;
}

/** How a replica leaves on SIGTERM (docker stop, Kubernetes) or SIGINT (a terminal); see http/graceful-shutdown.ts. */
export class ShutdownSettings {
  /** After SIGTERM, how long readiness answers 503 while requests are still served, before the listener closes. */
  readonly drainMs!: number;
  /** From the signal, the drain included, the longest shutdown may take; connections still open then are cut. */
  readonly graceMs!: number;

  constructor(values: ShutdownSettings) {
    Object.assign(this, values);
  }
}

/**
 * A few seconds of drain: long enough for a load balancer polling /health/ready, or Kubernetes taking a terminating
 * pod out of its endpoints, to stop sending new connections before the listener closes. Ten seconds in all, the
 * time docker stop gives before it kills.
 */
export const DEFAULT_DRAIN_MS = 3_000;
export const DEFAULT_GRACE_MS = 10_000;

export const shutdownConfig = configSlice({
  settings: ShutdownSettings,
  variables: ShutdownVariables,
  build: (env) => new ShutdownSettings({ drainMs: env.SHUTDOWN_DRAIN_MS ?? DEFAULT_DRAIN_MS, graceMs: env.SHUTDOWN_GRACE_MS ?? DEFAULT_GRACE_MS }),
  conflicts: ({ drainMs, graceMs }) =>
    drainMs < graceMs ? [] : [`SHUTDOWN_DRAIN_MS must be less than SHUTDOWN_GRACE_MS: the drain is part of the grace, and requests in flight need time after it`],
});
