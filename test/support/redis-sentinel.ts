import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort } from './free-port';
import { answersPing } from './redis-server';
import { redisServerPath } from './required-tools';
import { until } from './until';

export interface SentinelGroupOptions {
  /** The data nodes' requirepass (and masterauth, so the replica can follow): the vault's REDIS_PASSWORD. */
  password: string;
  /** The sentinels' own requirepass: the vault's REDIS_SENTINEL_PASSWORD. */
  sentinelPassword: string;
  /** How long the master may be silent before a sentinel thinks it down. */
  downAfterMs?: number;
}

interface Node {
  port: number;
  dir: string;
  child: ChildProcess;
  exited: Promise<void>;
}

/** The name the sentinels monitor the master under: the vault's REDIS_SENTINEL_NAME. */
export const MASTER_NAME = 'vault-master';
const QUORUM = 2;

/**
 * Redis as Sentinel runs it, for one test file: a master, a replica following it, and three sentinels watching
 * them, each redis-server on a free port in a directory of its own (a sentinel rewrites its configuration file as
 * it learns). The sentinels start once the replica is in sync, so their first look at the master finds it, and the
 * group is ready once each sentinel knows the other two, which a failover needs.
 */
export class SentinelGroup {
  private constructor(
    private readonly options: Required<SentinelGroupOptions>,
    readonly master: Node,
    readonly replica: Node,
    readonly sentinels: Node[],
  ) {}

  static async start(options: SentinelGroupOptions): Promise<SentinelGroup> {
    const settings = { downAfterMs: 1_000, ...options };
    const started: Node[] = [];
    try {
      const master = await launchDataNode(settings.password, null);
      started.push(master);
      const replica = await launchDataNode(settings.password, master.port);
      started.push(replica);
      const group = new SentinelGroup(settings, master, replica, []);
      await group.waitForReplica();
      for (let index = 0; index < 3; index += 1) {
        const sentinel = await launchSentinel(settings, master.port);
        started.push(sentinel);
        group.sentinels.push(sentinel);
      }
      await group.waitForSentinelsToMeet();
      return group;
    } catch (error) {
      await Promise.all(started.map(stopNode));
      throw error;
    }
  }

  /** REDIS_SENTINELS for the vault. */
  get sentinelList(): string {
    return this.sentinels.map((sentinel) => `127.0.0.1:${sentinel.port}`).join(',');
  }

  /** The variables that point a vault at the master through the sentinels. */
  get variables(): Record<string, string> {
    return {
      REDIS_SENTINELS: this.sentinelList,
      REDIS_SENTINEL_NAME: MASTER_NAME,
      REDIS_SENTINEL_PASSWORD: this.options.sentinelPassword,
      REDIS_PASSWORD: this.options.password,
    };
  }

  /** A client of a data node, by port, for looking at what the vault wrote. The caller quits it. */
  dataClient(port: number): Redis {
    return new Redis(port, '127.0.0.1', { password: this.options.password, maxRetriesPerRequest: 1, retryStrategy: () => null });
  }

  /** The port of the master the sentinels name now. */
  async masterPort(): Promise<number> {
    return withClient(this.sentinelClient(this.sentinels[0].port), async (client) => {
      const [, port] = (await client.call('SENTINEL', 'get-master-addr-by-name', MASTER_NAME)) as [string, string];
      return Number(port);
    });
  }

  /** SIGKILL: the master dies at once, as a crashed host does, without closing its connections cleanly. */
  killMaster(): void {
    this.master.child.kill('SIGKILL');
  }

  /**
   * What the sentinels say of the master now, and the last lines each logged (+sdown, +odown, +vote-for-leader,
   * +promoted-slave, -failover-abort-…): for a test's failure message when a failover did not end in time.
   */
  async report(lines = 15): Promise<string> {
    const parts: string[] = [];
    for (const sentinel of this.sentinels) {
      let view: string;
      try {
        view = await withClient(this.sentinelClient(sentinel.port), async (client) => {
          const flat = (await client.call('SENTINEL', 'master', MASTER_NAME)) as string[];
          const fields = Object.fromEntries(flat.flatMap((value, index) => (index % 2 === 0 ? [[value, flat[index + 1]]] : [])));
          return `master ${fields.ip}:${fields.port}, flags ${fields.flags}, failover-state ${fields['failover-state'] ?? 'none'}`;
        });
      } catch (error) {
        view = `no answer (${(error as Error).message})`;
      }
      const log = join(sentinel.dir, 'sentinel.log');
      const tail = existsSync(log) ? readFileSync(log, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '(no log)';
      parts.push(`sentinel ${sentinel.port}: ${view}\n${tail}`);
    }
    return parts.join('\n\n');
  }

  async destroy(): Promise<void> {
    await Promise.all([this.master, this.replica, ...this.sentinels].map(stopNode));
  }

  private sentinelClient(port: number): Redis {
    return new Redis(port, '127.0.0.1', { password: this.options.sentinelPassword, maxRetriesPerRequest: 1, retryStrategy: () => null });
  }

  private async waitForReplica(): Promise<void> {
    await withClient(this.dataClient(this.master.port), (client) =>
      until(async () => /slave0:.*state=online/.test(await client.info('replication')), 10_000, 'the replica to be in sync'),
    );
  }

  private async waitForSentinelsToMeet(): Promise<void> {
    for (const sentinel of this.sentinels) {
      await withClient(this.sentinelClient(sentinel.port), (client) =>
        until(
          async () => {
            const flat = (await client.call('SENTINEL', 'master', MASTER_NAME)) as string[];
            const fields = Object.fromEntries(flat.flatMap((value, index) => (index % 2 === 0 ? [[value, flat[index + 1]]] : [])));
            return fields['num-other-sentinels'] === '2' && fields['num-slaves'] === '1';
          },
          15_000,
          `sentinel ${sentinel.port} to know the other sentinels and the replica`,
        ),
      );
    }
  }
}

async function withClient<T>(client: Redis, use: (client: Redis) => Promise<T>): Promise<T> {
  try {
    return await use(client);
  } finally {
    client.disconnect();
  }
}

async function launchDataNode(password: string, masterPort: number | null): Promise<Node> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'token-vault-sentinel-data-'));
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--save', '',
    '--appendonly', 'no',
    '--dir', dir,
    '--requirepass', password,
    '--masterauth', password,
    ...(masterPort === null ? [] : ['--replicaof', '127.0.0.1', String(masterPort)]),
  ];
  return launch(port, dir, args, password);
}

async function launchSentinel(options: Required<SentinelGroupOptions>, masterPort: number): Promise<Node> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'token-vault-sentinel-'));
  const config = join(dir, 'sentinel.conf');
  writeFileSync(
    config,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `requirepass ${options.sentinelPassword}`,
      `sentinel sentinel-pass ${options.sentinelPassword}`,
      `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${masterPort} ${QUORUM}`,
      `sentinel auth-pass ${MASTER_NAME} ${options.password}`,
      `sentinel down-after-milliseconds ${MASTER_NAME} ${options.downAfterMs}`,
      // Small, so that a failover that stalls is tried again soon; it also bounds how long reconfiguring takes.
      `sentinel failover-timeout ${MASTER_NAME} 3000`,
      `sentinel parallel-syncs ${MASTER_NAME} 1`,
      // Kept for `report`: what the sentinels saw, should a failover not end as a test expects.
      'logfile sentinel.log',
      '',
    ].join('\n'),
  );
  return launch(port, dir, [config, '--sentinel'], options.sentinelPassword);
}

async function launch(port: number, dir: string, args: string[], password: string): Promise<Node> {
  const child = spawn(redisServerPath(), args, { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const node = { port, dir, child, exited };
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`redis-server could not start (${(error as NodeJS.ErrnoException).code})`)));
    child.once('exit', (code) => reject(new Error(`redis-server on ${port} exited with ${code}`)));
  });
  try {
    await Promise.race([until(() => answersPing(port, password), 10_000, `redis-server on ${port} to answer`), failed]);
  } catch (error) {
    await stopNode(node);
    throw error;
  }
  return node;
}

async function stopNode(node: Node): Promise<void> {
  if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGKILL');
  await node.exited;
  rmSync(node.dir, { recursive: true, force: true });
}
