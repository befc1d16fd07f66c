import { closeAll } from './close-all';
import { FakePocketful } from './fake-pocketful';
import { TestRedis } from './redis-server';
import { RunningClock } from './running-clock';
import { BASE_DAY } from './test-time';
import { json, newEncryptionKey, TestClient, TestVault } from './test-vault';
import { until } from './until';

/** Reads a minute allowed by the rate-limited replica. */
export const LIMITED_BUDGET = 3;

const CLIENTS: TestClient[] = [
  { name: 'ops', accounts: ['*'], admin: true },
  { name: 'strategy-a', accounts: ['*'] },
  // Only ever sent to the rate-limited replica, so its budget is its own.
  { name: 'bursty', accounts: ['*'] },
];

export type ServiceName = 'ops' | 'strategy-a' | 'bursty';

/**
 * The vault as its consumers meet it: two replicas on one Redis, a third with a budget of LIMITED_BUDGET reads a
 * minute, one fake Pocketful, and a spare replica to take away. Their clock runs from a morning of the base day,
 * far from the midnight cut-off, so a stored token lives for hours; tests move it ahead to the end of a rate
 * window. Redis keeps an append-only file, so it can be stopped and started again without losing tokens.
 */
export class ConsumerCluster {
  private spare: TestVault | null = null;

  private constructor(
    readonly clock: RunningClock,
    readonly redis: TestRedis,
    readonly broker: FakePocketful,
    readonly replicas: TestVault[],
    readonly limited: TestVault,
    private readonly env: Record<string, string>,
  ) {}

  static async start(): Promise<ConsumerCluster> {
    const redis = await TestRedis.start({ appendOnly: true });
    const broker = await new FakePocketful().start();
    const env = { TOKEN_STORE: 'redis', REDIS_URL: redis.url, VAULT_ENCRYPTION_KEY: newEncryptionKey(), LOG_LEVEL: 'info' };
    const clock = new RunningClock(BASE_DAY.at('09:15'));
    const vaults: TestVault[] = [];
    try {
      const first = await TestVault.start({ broker, env, clients: CLIENTS, clock });
      vaults.push(first);
      vaults.push(await TestVault.start({ broker, env, clients: CLIENTS, keys: first.keys, clock }));
      const limitedEnv = { ...env, RATE_LIMIT_PER_MINUTE: String(LIMITED_BUDGET) };
      vaults.push(await TestVault.start({ broker, env: limitedEnv, clients: CLIENTS, keys: first.keys, clock }));
      return new ConsumerCluster(clock, redis, broker, vaults.slice(0, 2), vaults[2], env);
    } catch (error) {
      await closeAll(() => Promise.all(vaults.map((vault) => vault.close())), () => broker.stop(), () => redis.destroy());
      throw error;
    }
  }

  keyOf(name: ServiceName): string {
    return this.replicas[0].keys[name];
  }

  /** A login completed on one replica, as a person makes it; `expiresIn` is what Pocketful says of the token. */
  async login(replica: number, account: string, expiresIn?: number): Promise<void> {
    const said = this.broker.options.expiresInSeconds;
    this.broker.options.expiresInSeconds = expiresIn ?? said;
    try {
      const page = await this.replicas[replica].login(account, this.broker);
      if (page.status !== 200) throw new Error(`the login of ${account} on replica ${replica} answered ${page.status}`);
    } finally {
      this.broker.options.expiresInSeconds = said;
    }
  }

  /** Pocketful stops accepting a token, as when it is revoked or replaced. */
  revoke(accessToken: string): void {
    this.broker.broker.revoke(accessToken);
  }

  /** Token reads the vault served to a client, from the audit trail. */
  async reads(client: ServiceName, account: string): Promise<number> {
    return (await this.audit({ client, account, kind: 'done', action: 'read' })).length;
  }

  /** Requests of a client the vault refused or failed with `result` (`token_not_found`, `rate_limited`, …). */
  async refusals(client: ServiceName, account: string, result: string): Promise<number> {
    return (await this.audit({ client, account, kind: 'refused' })).filter((entry) => entry.result === result).length;
  }

  async stopRedis(): Promise<void> {
    await this.redis.stop();
  }

  async startRedis(): Promise<void> {
    await this.redis.restart();
    for (const vault of [...this.replicas, this.limited]) {
      await until(async () => (await vault.fetch('/health/ready')).status === 200, 10_000, `${vault.url} ready`);
    }
  }

  /** One more replica on the same Redis, for a test to take away; its URL. */
  async startSpare(): Promise<string> {
    await this.stopSpare();
    this.spare = await TestVault.start({ broker: this.broker, env: this.env, clients: CLIENTS, keys: this.replicas[0].keys, clock: this.clock });
    return this.spare.url;
  }

  async stopSpare(): Promise<void> {
    const spare = this.spare;
    this.spare = null;
    await spare?.close();
  }

  /**
   * Moves the clock so that a rate window ends in `seconds`: the next window (a fresh budget), or with `sameWindow`
   * the current one, keeping what it has counted.
   */
  minuteEndsIn(seconds: number, { sameWindow = false } = {}): void {
    const intoMinute = this.clock.now().getTime() % 60_000;
    const ahead = 60_000 - seconds * 1000 - intoMinute;
    if (sameWindow && ahead < 0) throw new Error(`the rate window already ends in less than ${seconds} s`);
    this.clock.advance(sameWindow ? ahead : ((ahead + 60_000) % 60_000) + 60_000);
  }

  async close(): Promise<void> {
    await closeAll(
      () => this.stopSpare(),
      () => Promise.all([...this.replicas, this.limited].map((vault) => vault.close())),
      () => this.broker.stop(),
      () => this.redis.destroy(),
    );
  }

  private async audit(filter: Record<string, string>): Promise<Array<{ result: string }>> {
    const query = new URLSearchParams({ ...filter, limit: '500' });
    const response = await this.replicas[0].fetch(`/v1/audit?${query.toString()}`, { as: 'ops' });
    if (response.status !== 200) throw new Error(`the audit trail answered ${response.status}`);
    return (await json(response)).entries;
  }
}
