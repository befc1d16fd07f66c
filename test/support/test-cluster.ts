import { Clock } from '../../src/clock/clock';
import { closeAll } from './close-all';
import { FakePocketful } from './fake-pocketful';
import { TestRedis } from './redis-server';
import { newEncryptionKey, TestClient, TestVault } from './test-vault';

export interface TestClusterOptions {
  replicas?: number;
  /** Variables for every replica, over the shared Redis store and encryption key. */
  env?: Record<string, string>;
  clients?: TestClient[];
  /** One clock for every replica, as NTP gives a cluster; the real one by default. */
  clock?: Clock;
  /** Variables for one replica only, by its index. */
  envOf?: (index: number) => Record<string, string>;
}

/**
 * Replicas as a cluster runs them, in this process: each a vault of its own, all on one private redis-server with
 * one encryption key and the same service keys, and one fake Pocketful.
 */
export class TestCluster {
  private constructor(
    readonly redis: TestRedis,
    readonly broker: FakePocketful,
    readonly replicas: TestVault[],
  ) {}

  static async start(options: TestClusterOptions = {}): Promise<TestCluster> {
    const redis = await TestRedis.start();
    const broker = await new FakePocketful().start();
    const env = { TOKEN_STORE: 'redis', REDIS_URL: redis.url, VAULT_ENCRYPTION_KEY: newEncryptionKey(), ...options.env };
    const replicas: TestVault[] = [];
    try {
      for (let index = 0; index < (options.replicas ?? 2); index += 1) {
        const own = { ...env, ...options.envOf?.(index) };
        replicas.push(await TestVault.start({ broker, env: own, clients: options.clients, keys: replicas[0]?.keys, clock: options.clock }));
      }
    } catch (error) {
      await closeAll(() => Promise.all(replicas.map((replica) => replica.close())), () => broker.stop(), () => redis.destroy());
      throw error;
    }
    return new TestCluster(redis, broker, replicas);
  }

  async close(): Promise<void> {
    await closeAll(() => Promise.all(this.replicas.map((replica) => replica.close())), () => this.broker.stop(), () => this.redis.destroy());
  }
}
