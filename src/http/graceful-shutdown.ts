import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Draining } from './draining';
import { OpenConnections } from './open-connections';
import { ShutdownSettings } from './shutdown.config';

export type ShutdownSignal = 'SIGTERM' | 'SIGINT';

/** After the grace, what is left of the application's own close gets this long before the process goes anyway. */
const AFTER_GRACE_MS = 1_000;
/** Once the listener is closed, idle connections are looked for this often, until the close is done. */
const IDLE_SWEEP_MS = 100;
/** A connection that has carried no request yet gets this long after the listener closes, in case one is on its way. */
const UNUSED_CONNECTION_MS = 1_000;

const logger = new Logger('Shutdown');

/**
 * How a replica leaves, in the order a load balancer and its clients need:
 * 1. readiness answers 503 `shutting_down` and every answer closes its connection, while requests are still served;
 * 2. after SHUTDOWN_DRAIN_MS (on SIGTERM only: a person pressing Ctrl-C has no balancer to wait for), the listener
 *    closes: new connections are refused, and idle kept-alive ones are closed rather than waited for (one that has
 *    carried no request yet, a moment later);
 * 3. the application closes: alerts hand back their claims and held requests are ended (both before the server
 *    closes), requests in flight finish, then Redis closes.
 * Resolves to the exit code: 0, or 1 when SHUTDOWN_GRACE_MS (counted from the signal) ran out first and the
 * connections still open were cut.
 */
export async function shutDownGracefully(
  app: NestFastifyApplication,
  connections: OpenConnections,
  settings: ShutdownSettings,
  signal: ShutdownSignal,
): Promise<number> {
  const server = app.getHttpServer() as Server;
  app.get(Draining).begin();
  const drainMs = signal === 'SIGTERM' ? settings.drainMs : 0;
  logger.log(`${signal}: not ready from now on; closing the listener in ${drainMs} ms, exiting within ${settings.graceMs} ms`);

  const grace = new AbortController();
  const late = sleep(settings.graceMs, 'late' as const, { signal: grace.signal }).catch(() => 'cancelled' as const);
  const closed = (async () => {
    if (drainMs > 0) await sleep(drainMs);
    server.close();
    logger.log(`listener closed; finishing the requests in flight on ${connections.busy} connection(s)`);
    // Every answer from now on closes its connection: those busy now close after their answer.
    connections.closeIdle({ unused: false });
    let sweeps = 0;
    const sweep = setInterval(() => connections.closeIdle({ unused: ++sweeps * IDLE_SWEEP_MS >= UNUSED_CONNECTION_MS }), IDLE_SWEEP_MS);
    try {
      await app.close();
    } finally {
      clearInterval(sweep);
    }
    return 'closed' as const;
  })().catch((error: unknown) => {
    logger.error(`shutdown failed: ${(error as { name?: string }).name ?? 'error'}`);
    return 'failed' as const;
  });

  const first = await Promise.race([closed, late]);
  grace.abort();
  if (first === 'closed') {
    logger.log('shut down cleanly');
    return 0;
  }
  if (first === 'late') {
    logger.warn(`still busy after SHUTDOWN_GRACE_MS (${settings.graceMs} ms): cutting ${connections.busy} connection(s) with requests in flight`);
    connections.closeAll();
    await Promise.race([closed, sleep(AFTER_GRACE_MS)]);
  }
  return 1;
}
