import { Clock } from '../../src/clock/clock';
import { SandboxBrokerOptions } from '../../src/sandbox/sandbox-broker';
import { closeAll, closingOnFailure } from './close-all';
import { FakePocketful } from './fake-pocketful';
import { LogCapture } from './log-capture';
import { TestRedis, TestRedisOptions } from './redis-server';
import { newEncryptionKey, TestClient, TestVault } from './test-vault';

/** A Redis a vault can be pointed at: the variables that point it there, and how to take it down. */
export interface VaultRedis {
  readonly variables: Record<string, string>;
  destroy(): Promise<void>;
}

/** Variables as a test sets them; one set to undefined is left out, as an operator leaves it unset. */
export type TestVariables = Record<string, string | undefined>;

/** What each vault of a fixture may have of its own. */
export interface VaultOptions {
  /** Over the fixture's variables. */
  env?: TestVariables;
  clients?: TestClient[];
  clock?: Clock;
  /** Where the vault's log lines go; a capture of its own by default (the fixture's replicas share the one given). */
  logs?: LogCapture;
}

export interface VaultFixtureOptions extends VaultOptions {
  /** `redis` (the default): a private redis-server of the fixture's own; `memory`: no Redis at all. */
  store?: 'redis' | 'memory';
  /** How that redis-server runs: append-only, behind a password. */
  redis?: TestRedisOptions;
  /** What the fake Pocketful says: its accounts, the lifetime of its tokens, how it checks PKCE. */
  broker?: Partial<SandboxBrokerOptions>;
  /** How many vaults start at once, as replicas of one another: 1 by default; 0 for none, each then from `another`. */
  replicas?: number;
}

/**
 * A vault on a store of its own, as a test needs it: a private redis-server (or the memory store), a fake Pocketful
 * on a local port, and the vault configured for both with a fresh encryption key, as `replicas` replicas. Further
 * vaults on the same Redis, with the same key and service keys, come from `another`. `close` closes every vault it
 * started, then Pocketful, then its Redis; start closes what it had started when a step fails.
 */
export class VaultFixture<R extends VaultRedis = TestRedis> {
  readonly replicas: TestVault[] = [];
  /** Every vault begun, whether or not its start finished: close must not leave one running after its Redis. */
  private readonly begun: Array<Promise<TestVault>> = [];
  /** The service keys of the first vault started, which every later one takes. */
  private serviceKeys: Record<string, string> | undefined;

  private constructor(
    private readonly store: R | null,
    private readonly stopRedis: () => unknown,
    readonly broker: FakePocketful,
    private readonly env: TestVariables,
    private readonly defaults: Pick<VaultOptions, 'clients' | 'clock'>,
  ) {}

  static async start(options: VaultFixtureOptions = {}): Promise<VaultFixture> {
    const { store = 'redis', redis, ...rest } = options;
    return VaultFixture.assemble(store === 'redis' ? await TestRedis.start(redis) : null, true, rest);
  }

  /** The same, on a Redis a test runs itself (a server it prepared, a Sentinel group), which close leaves to it. */
  static startOn<R extends VaultRedis>(redis: R, options: Omit<VaultFixtureOptions, 'store' | 'redis'> = {}): Promise<VaultFixture<R>> {
    return VaultFixture.assemble(redis, false, options);
  }

  private static async assemble<R extends VaultRedis>(
    redis: R | null,
    ownsRedis: boolean,
    options: Omit<VaultFixtureOptions, 'store' | 'redis'>,
  ): Promise<VaultFixture<R>> {
    const stopRedis = () => (ownsRedis ? redis?.destroy() : undefined);
    const broker = await closingOnFailure(() => new FakePocketful(options.broker).start(), stopRedis);
    const storage = redis ? { TOKEN_STORE: 'redis', ...redis.variables, VAULT_ENCRYPTION_KEY: newEncryptionKey() } : {};
    const { env, replicas = 1, clients, clock, logs } = options;
    const fixture = new VaultFixture(redis, stopRedis, broker, { ...storage, ...env }, { clients, clock });
    return closingOnFailure(async () => {
      for (let index = 0; index < replicas; index += 1) fixture.replicas.push(await fixture.another({ logs }));
      return fixture;
    }, () => fixture.close());
  }

  /** The first of the vaults the fixture started with. */
  get vault(): TestVault {
    return this.replicas[0];
  }

  /** The Redis the vaults share; a fixture on the memory store has none. */
  get redis(): R {
    if (!this.store) throw new Error('this fixture keeps its tokens in memory: it has no Redis');
    return this.store;
  }

  /** The variables every vault of the fixture starts with. */
  get variables(): Record<string, string> {
    return definedOnly(this.env);
  }

  /** One more vault on the same Redis, Pocketful, encryption key and service keys, with `env` over the fixture's variables. */
  async another(options: VaultOptions = {}): Promise<TestVault> {
    const started = TestVault.start({
      broker: this.broker,
      env: definedOnly({ ...this.env, ...options.env }),
      clients: options.clients ?? this.defaults.clients,
      keys: this.serviceKeys,
      clock: options.clock ?? this.defaults.clock,
      logs: options.logs,
    });
    this.begun.push(started);
    const vault = await started;
    this.serviceKeys ??= vault.keys;
    return vault;
  }

  async close(): Promise<void> {
    const vaults = (await Promise.allSettled(this.begun)).flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    await closeAll(...vaults.map((vault) => () => vault.close()), () => this.broker.stop(), this.stopRedis);
  }
}

function definedOnly(env: TestVariables): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
