import { AlertScanner } from '../src/alerts/alert-scanner';
import { AlertService } from '../src/alerts/alert.service';
import { TokenStore } from '../src/tokens/token.store';
import { AlertReceiver } from './support/alert-receiver';
import { FakePocketful } from './support/fake-pocketful';
import { ManualClock } from './support/manual-clock';
import { TestRedis } from './support/redis-server';
import { newEncryptionKey, TestVault } from './support/test-vault';
import { BASE_DAY } from './support/test-time';
import { closeAll } from './support/close-all';

/**
 * The work of an alert scan follows the alerts that are due, not the number of accounts: expiries are read from
 * a sorted-set index by time, never found by scanning keys. Shown by counting the Redis commands a scan makes.
 */
describe('alert scans at scale', () => {
  let redis: TestRedis;
  let broker: FakePocketful;
  let receiver: AlertReceiver;
  const clock = new ManualClock(BASE_DAY.at('10:00'));
  const vaults: Record<string, TestVault> = {};

  async function vaultWith(accounts: number, name: string): Promise<TestVault> {
    const vault = await TestVault.start({
      broker,
      clock,
      env: {
        TOKEN_STORE: 'redis',
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: `${name}:`,
        VAULT_ENCRYPTION_KEY: newEncryptionKey(),
        ALERT_WEBHOOK_URL: receiver.url,
        ALERT_SCAN_INTERVAL: '1h',
        MISSING_TOKEN_CHECK_AT: 'off',
      },
    });
    const store = vault.app.get(TokenStore);
    const issuedAt = clock.now();
    for (let start = 0; start < accounts; start += 500) {
      const batch = Array.from({ length: Math.min(500, accounts - start) }, (_, index) => `ACC${String(start + index).padStart(5, '0')}`);
      await Promise.all(
        batch.map((clientId) =>
          store.save({
            clientId,
            accessToken: `token-${clientId}-0123456789abcdef`,
            tokenType: 'bearer',
            scope: 'orders holdings',
            issuedAt,
            expiresAt: BASE_DAY.plus(1).at('00:00'),
            source: 'import',
            fingerprint: `fp-${clientId}`,
          }),
        ),
      );
    }
    return vault;
  }

  async function commandsDuring(work: () => Promise<unknown>): Promise<number> {
    const client = redis.client();
    try {
      const processed = async () => Number(/total_commands_processed:(\d+)/.exec(await client.info('stats'))![1]);
      const before = await processed();
      await work();
      // The second INFO is itself one command.
      return (await processed()) - before - 1;
    } finally {
      client.disconnect();
    }
  }

  beforeAll(async () => {
    redis = await TestRedis.start();
    broker = await new FakePocketful().start();
    receiver = await new AlertReceiver().start();
    vaults.small = await vaultWith(10, 'small');
    vaults.large = await vaultWith(10_000, 'large');
    await Promise.all(Object.values(vaults).map((vault) => vault.app.get(AlertService).scan()));
  }, 120_000);

  // A vault with 10,000 accounts may be mid-scan when it closes, and waits for the scan: longer than Jest's default.
  afterAll(async () => {
    await closeAll(() => Promise.all(Object.values(vaults).map((vault) => vault.close())), () => receiver.stop(), () => broker.stop(), () => redis.destroy());
  }, 30_000);

  it('costs the same with 10,000 accounts as with 10 when nothing is due', async () => {
    const small = await commandsDuring(() => vaults.small.app.get(AlertService).scan());
    const large = await commandsDuring(() => vaults.large.app.get(AlertService).scan());
    expect(large).toBe(small);
    expect(large).toBeLessThanOrEqual(3);
    expect(receiver.received).toHaveLength(0);
  });

  it('finds every token in the last hour before their common expiry, from the index alone', async () => {
    clock.set(BASE_DAY.at('23:30'));
    let due: unknown[] = [];
    const commands = await commandsDuring(async () => {
      due = await vaults.large.app.get(AlertScanner).due(['webhook']);
    });
    expect(due).toHaveLength(10_000);
    expect(commands).toBeLessThanOrEqual(3);
  });
});
