import { freePort } from './free-port';
import { SpawnedVault } from './spawned-vault';
import { until } from './until';

/** One replica of the bundled vault, in a process of its own, listening on 127.0.0.1. */
export interface SpawnedReplica {
  vault: SpawnedVault;
  url: string;
  port: number;
}

/** Until the replica's /health/ready answers 200. */
export const untilReady = (replica: { url: string }, withinMs = 10_000): Promise<void> =>
  until(async () => (await fetch(`${replica.url}/health/ready`)).ok, withinMs, `${replica.url} ready`);

/**
 * `count` replicas on one set of variables, each on a free port, as docker-compose runs them; resolves once every
 * one is ready. Each goes into `replicas` as soon as it is spawned, so that the file's clean-up stops it even when
 * the start fails.
 */
export async function spawnReplicas(replicas: SpawnedReplica[], count: number, env: Record<string, string>, readyWithinMs = 10_000): Promise<void> {
  const started: SpawnedReplica[] = [];
  for (let index = 0; index < count; index += 1) {
    const port = await freePort();
    const replica = { vault: SpawnedVault.start('vault', { ...env, HOST: '127.0.0.1', PORT: String(port) }), url: `http://127.0.0.1:${port}`, port };
    replicas.push(replica);
    started.push(replica);
  }
  for (const replica of started) await untilReady(replica, readyWithinMs);
}
