import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientFor, newServiceKey, writeClientsFile } from '../../src/access/clients-file';
import { closeAll, closingOnFailure } from './close-all';
import { FakePocketful } from './fake-pocketful';
import { freePort } from './free-port';
import { keyedFetch } from './keyed-fetch';
import { TestRedis, TestRedisOptions } from './redis-server';
import { SpawnedVault } from './spawned-vault';
import { newEncryptionKey, TestClient } from './test-vault';
import { until } from './until';
import { expiryTimeFarFromNow } from './test-time';

/** Until the replica's /health/ready answers 200. */
export const untilReady = (replica: { url: string }, withinMs = 10_000): Promise<void> =>
  until(async () => (await fetch(`${replica.url}/health/ready`)).ok, withinMs, `${replica.url} ready`);

/** One replica of the bundled vault, in a process of its own, listening on 127.0.0.1. */
export class SpawnedReplica {
  constructor(
    readonly vault: SpawnedVault,
    readonly port: number,
    readonly keys: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A request with a service key, by client name. */
  fetch(path: string, init: RequestInit & { as?: string } = {}): Promise<Response> {
    return keyedFetch(this.url, this.keys, path, init);
  }
}

/** One replica of its own kind: another bundle, or variables of its own. */
export interface ReplicaOptions {
  /** The bundle it runs, by its path; today's dist/vault.js when absent. */
  bundle?: string;
  /** Variables over the fixture's, for this replica only. */
  env?: Record<string, string>;
}

export interface SpawnedReplicasOptions {
  /** How many replicas, all alike; 2 by default. */
  count?: number;
  /** Instead of `count`: each replica, in order, as it differs from the others (a rolling upgrade's two versions). */
  replicas?: ReplicaOptions[];
  /** The service clients of the clients file, each given a fresh key. */
  clients: TestClient[];
  /** Variables over the ones the fixture sets. */
  env?: Record<string, string>;
  /** How the redis-server runs: append-only, behind a password. */
  redis?: TestRedisOptions;
  readyWithinMs?: number;
}

/**
 * Replicas as docker-compose runs them: `node dist/vault.js` processes (npm test builds dist first) on one private
 * redis-server and one encryption key, each on a free port, reading one clients file, talking to one fake Pocketful.
 * `start` resolves once every replica is ready; `close` stops every process it spawned, even when a start failed
 * half-way, then Pocketful, Redis and the clients file's folder.
 */
export class SpawnedReplicas {
  readonly replicas: SpawnedReplica[] = [];
  /** The service keys, by client name; a test that rewrites the clients file keeps them here. */
  readonly keys: Record<string, string> = {};
  private readonly spawned: SpawnedReplica[] = [];

  private constructor(
    readonly redis: TestRedis,
    readonly broker: FakePocketful,
    /** The folder of the clients file, removed on close. */
    readonly dir: string,
    readonly variables: Record<string, string>,
  ) {}

  static async start(options: SpawnedReplicasOptions): Promise<SpawnedReplicas> {
    const redis = await TestRedis.start(options.redis);
    const broker = await closingOnFailure(() => new FakePocketful().start(), () => redis.destroy());
    const dir = mkdtempSync(join(tmpdir(), 'token-vault-replicas-'));
    const fixture = new SpawnedReplicas(redis, broker, dir, {
      TOKEN_STORE: 'redis',
      ...redis.variables,
      VAULT_ENCRYPTION_KEY: newEncryptionKey(),
      ...broker.variables,
      VAULT_CLIENTS_FILE: join(dir, 'clients.json'),
      ADMIN_AUTH: 'none',
      // A spawned replica runs on the real clock: unless a spec sets its own.
      TOKEN_EXPIRY_TIME: expiryTimeFarFromNow(),
      ...options.env,
    });
    return closingOnFailure(async () => {
      const clients = options.clients.map((client) => {
        fixture.keys[client.name] = newServiceKey();
        return clientFor(client.name, fixture.keys[client.name], client.accounts, client.admin ?? false);
      });
      writeClientsFile(fixture.clientsFile, clients);
      const replicas = options.replicas ?? Array.from({ length: options.count ?? 2 }, (): ReplicaOptions => ({}));
      for (const replica of replicas) fixture.replicas.push(await fixture.spawn(replica.env, replica.bundle));
      for (const replica of fixture.replicas) await untilReady(replica, options.readyWithinMs);
      return fixture;
    }, () => fixture.close());
  }

  get clientsFile(): string {
    return this.variables.VAULT_CLIENTS_FILE;
  }

  /** One more replica on the same variables, over them `env`, running `bundle` (or today's); not waited for; stopped on close. */
  async spawn(env: Record<string, string> = {}, bundle?: string): Promise<SpawnedReplica> {
    const port = await freePort();
    const program = bundle === undefined ? 'vault' : { bundle };
    const replica = new SpawnedReplica(SpawnedVault.start(program, { ...this.variables, ...env, HOST: '127.0.0.1', PORT: String(port) }), port, this.keys);
    this.spawned.push(replica);
    return replica;
  }

  async close(): Promise<void> {
    await closeAll(
      () => Promise.all(this.spawned.map((replica) => replica.vault.stop())),
      () => this.broker.stop(),
      () => this.redis.destroy(),
      () => rmSync(this.dir, { recursive: true, force: true }),
    );
  }
}
