import { closingOnFailure } from './close-all';
import { FakePocketful } from './fake-pocketful';
import { TestRedis } from './redis-server';
import { RunningClock } from './running-clock';
import { BASE_DAY } from './test-time';
import { json, TestClient, TestVault } from './test-vault';
import { until } from './until';
import { VaultFixture } from './vault-fixture';

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
    private readonly fixture: VaultFixture,
    readonly limited: TestVault,
  ) {}

  static async start(): Promise<ConsumerCluster> {
    const clock = new RunningClock(BASE_DAY.at('09:15'));
    const fixture = await VaultFixture.start({ redis: { appendOnly: true }, env: { LOG_LEVEL: 'info' }, clients: CLIENTS, clock, replicas: 2 });
    const limited = await closingOnFailure(() => fixture.another({ env: { RATE_LIMIT_PER_MINUTE: String(LIMITED_BUDGET) } }), () => fixture.close());
    return new ConsumerCluster(clock, fixture, limited);
  }

  get redis(): TestRedis {
    return this.fixture.redis;
  }

  get broker(): FakePocketful {
    return this.fixture.broker;
  }

  get replicas(): TestVault[] {
    return this.fixture.replicas;
  }

  keyOf(name: ServiceName): string {
    return this.replicas[0].keys[name];
  }

  /** A login completed on one replica, as a person makes it; `expiresIn` is what Pocketful says of the token. */
  async login(replica: number, account: string, expiresIn?: number): Promise<void> {
    const said = this.broker.options.expiresInSeconds;
    this.broker.options.expiresInSeconds = expiresIn ?? said;
    try {
      await this.replicas[replica].login(account, this.broker);
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
    this.spare = await this.fixture.another();
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

  /** Every replica, the spare among them, then Pocketful and Redis. */
  close(): Promise<void> {
    return this.fixture.close();
  }

  private async audit(filter: Record<string, string>): Promise<Array<{ result: string }>> {
    const query = new URLSearchParams({ ...filter, limit: '500' });
    const response = await this.replicas[0].fetch(`/v1/audit?${query.toString()}`, { as: 'ops' });
    if (response.status !== 200) throw new Error(`the audit trail answered ${response.status}`);
    return (await json(response)).entries;
  }
}
