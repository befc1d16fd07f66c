import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashOperatorPassword } from '../src/access/operator-password';
import { AlertDeliveryLog, DELIVERIES_KEPT } from '../src/alerts/alert-delivery-log';
import { AlertService } from '../src/alerts/alert.service';
import { ReplicaHeartbeat } from '../src/status/replica-heartbeat';
import { ReplicaRegistry } from '../src/status/replica-registry';
import { AlertReceiver } from './support/alert-receiver';
import { closeAll } from './support/close-all';
import { FakePocketful } from './support/fake-pocketful';
import { ManualClock } from './support/manual-clock';
import { readToken } from './support/token-requests';
import { TestRedis } from './support/redis-server';
import { json, newEncryptionKey, TestVault } from './support/test-vault';
import { BASE_DAY, istForPeople, istIso } from './support/test-time';
import { VaultFixture } from './support/vault-fixture';

const VERSION = (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
/** The lowest cost ADMIN_AUTH accepts: the password is not what these tests are about. */
const CHEAP_HASH = { log2n: 14, r: 8, p: 1 };
const MORNING = BASE_DAY.at('10:00');
const MIDNIGHT = BASE_DAY.plus(1).at('00:00');
const KEYS = `k-new:${newEncryptionKey()},k-old:${newEncryptionKey()}`;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** `GET /v1/status` and the page at `/`, from replicas on one real Redis, with alerts delivered to a real receiver. */
describe('the status of the vault', () => {
  let fixture: VaultFixture;
  let redis: TestRedis;
  let broker: FakePocketful;
  let webhook: AlertReceiver;
  let vault: TestVault;
  const clock = new ManualClock(MORNING);
  const operator = { authorization: basic('ops', 'a long operator password') };

  const status = async (as = 'ops') => {
    const response = await vault.fetch('/v1/status', { as });
    expect(response.status).toBe(200);
    return json(response);
  };
  /** A login as the operator's browser makes it, past ADMIN_AUTH (TestVault.login sends no credentials). */
  const login = async (clientId: string) => {
    const begin = await vault.fetch('/pocketful/login', { headers: operator });
    expect(begin.status).toBe(302);
    const state = new URL(begin.headers.get('location')!).searchParams.get('state')!;
    const cookie = (begin.headers.get('set-cookie') ?? '').split(';')[0];
    const query = new URLSearchParams({ code: broker.broker.issueCode(clientId), state });
    expect((await vault.fetch(`/pocketful/callback?${query}`, { headers: { ...operator, cookie } })).status).toBe(200);
  };
  const account = async (clientId: string) => (await status()).accounts.find((line: { clientId: string }) => line.clientId === clientId);

  beforeAll(async () => {
    webhook = await new AlertReceiver().start();
    fixture = await VaultFixture.start({
      clock,
      env: {
        REDIS_KEY_PREFIX: 'status:',
        VAULT_ENCRYPTION_KEY: undefined,
        VAULT_ENCRYPTION_KEYS: KEYS,
        ALLOWED_CLIENT_IDS: 'YA0002,YA0003,zerodha:AB1234',
        // Zerodha on beside Pocketful, the default broker; no call reaches Kite here.
        ZERODHA_API_KEY: 'kitekey0123abcd',
        ZERODHA_API_SECRET: 'kite-secret-0123456789',
        ZERODHA_REDIRECT_URL: 'http://127.0.0.1:5000/zerodha/callback',
        PUBLIC_URL: 'https://vault.desk.example',
        ADMIN_AUTH: `basic:ops:${await hashOperatorPassword('a long operator password', CHEAP_HASH)}`,
        ALERT_WEBHOOK_URL: `${webhook.url}/hook`,
        ALERT_ON_STORED: 'true',
        ALERT_SCAN_INTERVAL: '1h',
        MISSING_TOKEN_CHECK_AT: 'off',
        ALERT_RETRY_ATTEMPTS: '1',
        ALERT_TIMEOUT: '2s',
      },
    });
    ({ redis, broker, vault } = fixture);
  });

  afterAll(() => closeAll(() => fixture?.close(), () => webhook?.stop()));

  describe('GET /v1/status', () => {
    it('refuses a request without a key (401) and a client that is not admin (403), with stable codes', async () => {
      const anonymous = await vault.fetch('/v1/status');
      expect(anonymous.status).toBe(401);
      expect(await json(anonymous)).toMatchObject({ error: 'unauthorized' });
      const strategy = await vault.fetch('/v1/status', { as: 'strategy-a' });
      expect(strategy.status).toBe(403);
      expect(await json(strategy)).toMatchObject({ error: 'forbidden' });
    });

    it('lists every expected account as missing before any login, with the health of the vault', async () => {
      const answer = await status();
      expect(answer.at).toBe(istIso(MORNING));
      expect(answer.version).toBe(VERSION);
      expect(answer.expiringWithin).toBe(3600);
      const missing = { state: 'missing', expected: true, source: null, issuedAt: null, expiresAt: null, expiresIn: 0 };
      // Each account with its broker and that broker's login under PUBLIC_URL, where people reach the vault.
      expect(answer.accounts).toEqual([
        { clientId: 'YA0002', broker: 'pocketful', loginUrl: 'https://vault.desk.example/pocketful/login', ...missing },
        { clientId: 'YA0003', broker: 'pocketful', loginUrl: 'https://vault.desk.example/pocketful/login', ...missing },
        { clientId: 'zerodha:AB1234', broker: 'zerodha', loginUrl: 'https://vault.desk.example/zerodha/login', ...missing },
      ]);
      expect(answer.alerts).toEqual({ channels: ['webhook'], recent: [] });
      expect(answer.preopen).toBeNull();
      expect(answer.health.store).toMatchObject({ status: 'up', kind: 'redis', message: null });
      expect(answer.health.keys).toMatchObject({ status: 'up', encrypted: true, sealing: 'k-new', configured: ['k-new', 'k-old'], unreadable: {} });
      expect(answer.health.replicas).toEqual({ seen: 1, ids: [vault.app.get(ReplicaHeartbeat).replicaId], within: 30 });
    });

    it('shows a login as live, with its times in IST and the seconds left, and the alert it raised; never the token', async () => {
      await login('YA0002');
      await vault.app.get(AlertService).settled();
      const token = await readToken(vault, 'YA0002', 'ops');

      const response = await vault.fetch('/v1/status', { as: 'ops' });
      const text = await response.text();
      expect(text).not.toContain(token);
      const answer = JSON.parse(text);
      expect(answer.accounts[0]).toEqual({
        clientId: 'YA0002',
        broker: 'pocketful',
        loginUrl: 'https://vault.desk.example/pocketful/login',
        state: 'live',
        expected: true,
        source: 'login',
        issuedAt: istIso(MORNING),
        expiresAt: istIso(MIDNIGHT),
        expiresIn: (MIDNIGHT.getTime() - MORNING.getTime()) / 1000,
      });
      expect(answer.accounts[1]).toMatchObject({ clientId: 'YA0003', state: 'missing' });
      expect(answer.alerts.recent).toEqual([
        { at: istIso(MORNING), channel: 'webhook', type: 'stored', result: 'sent', reason: null, accounts: ['YA0002'], accountCount: 1 },
      ]);
      expect(webhook.received).toHaveLength(1);
    });

    it('flags a live token in the last hour before its expiry as expiring, and as expired once it has passed', async () => {
      try {
        clock.set(BASE_DAY.at('22:59:59'));
        expect(await account('YA0002')).toMatchObject({ state: 'live', expiresIn: 3601 });
        clock.set(BASE_DAY.at('23:00:00'));
        expect(await account('YA0002')).toMatchObject({ state: 'expiring', expiresIn: 3600 });
        clock.set(BASE_DAY.at('23:59:30'));
        expect(await account('YA0002')).toMatchObject({ state: 'expiring', expiresIn: 30 });
        clock.set(MIDNIGHT);
        expect(await account('YA0002')).toMatchObject({ state: 'expired', expiresIn: 0, expiresAt: istIso(MIDNIGHT) });
      } finally {
        clock.set(MORNING);
      }
    });

    it('records a delivery the channel refused as failed, newest first', async () => {
      webhook.failures = [400];
      clock.advance(60_000);
      await login('YA0003');
      await vault.app.get(AlertService).settled();
      const { recent } = (await status()).alerts;
      expect(recent.map((delivery: { type: string; result: string; accounts: string[] }) => `${delivery.type}:${delivery.result}:${delivery.accounts}`)).toEqual([
        'stored:failed:YA0003',
        'stored:sent:YA0002',
      ]);
      expect(recent[0].at).toBe(istIso(clock.now()));
      expect([recent[0].reason, recent[1].reason]).toEqual(['HTTP 400', null]);
    });
  });

  describe('the delivery log in Redis', () => {
    it(`keeps the newest ${DELIVERIES_KEPT} deliveries, and leaves out an entry it cannot read`, async () => {
      const log = vault.app.get(AlertDeliveryLog);
      for (let n = 1; n <= DELIVERIES_KEPT + 5; n += 1) {
        await log.record({ at: new Date(MORNING.getTime() + n), channel: 'slack', type: 'expiring', result: 'sent', accounts: [`YA${n}`], accountCount: 1 });
      }
      const client = redis.client();
      try {
        expect(await client.llen('status:alert-deliveries')).toBe(DELIVERIES_KEPT);
        await client.lpush('status:alert-deliveries', '{"written by": "something else"}', 'not json');
      } finally {
        client.disconnect();
      }
      const latest = await log.latest(3);
      expect(latest.map((delivery) => delivery.accounts[0])).toEqual([`YA${DELIVERIES_KEPT + 5}`]);
      expect((await log.latest(DELIVERIES_KEPT)).at(-1)?.accounts).toEqual([`YA8`]);
    });
  });

  describe('the replicas', () => {
    it('counts every replica on the Redis, and one that stops at once no more', async () => {
      const second = await fixture.another();
      try {
        const ids = [vault, second].map((replica) => replica.app.get(ReplicaHeartbeat).replicaId).sort();
        expect(ids[0]).not.toBe(ids[1]);
        expect((await status()).health.replicas).toEqual({ seen: 2, ids, within: 30 });
      } finally {
        await second.close();
      }
      expect((await status()).health.replicas.seen).toBe(1);
    });

    it('counts a replica whose last heartbeat is 30 s old, and not one of 30.001 s', async () => {
      const registry = vault.app.get(ReplicaRegistry);
      await registry.beat('quiet-replica', new Date(clock.now().getTime() - 30_000));
      await registry.beat('gone-replica', new Date(clock.now().getTime() - 30_001));
      const { replicas } = (await status()).health;
      expect(replicas.ids).toEqual([vault.app.get(ReplicaHeartbeat).replicaId, 'quiet-replica'].sort());
      await registry.leave('quiet-replica');
      await registry.leave('gone-replica');
    });
  });

  describe('the page at /', () => {
    it('asks for the operator password, as the login pages do', async () => {
      const response = await vault.fetch('/');
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
      expect(response.headers.get('content-type')).toContain('text/html');
      const withServiceKey = await vault.fetch('/', { as: 'ops' });
      expect(withServiceKey.status).toBe(401);
    });

    it('shows the accounts to the operator, refreshing itself, under a policy that allows no script', async () => {
      const response = await vault.fetch('/', { headers: operator });
      expect(response.status).toBe(200);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toContain('script-src');
      const html = await response.text();
      expect(html).toContain('<meta http-equiv="refresh" content="30">');
      expect(html).not.toMatch(/<script/i);
      expect(html).toMatch(/<tr id="account-YA0002" data-state="live">/);
      expect(html).toMatch(/<tr id="account-zerodha:AB1234" data-state="missing">[\s\S]*?href="\/zerodha\/login"[\s\S]*?<\/tr>/);
      expect(html).toContain(istForPeople(MIDNIGHT));
      expect(html).toContain(`<dd id="health-version">${VERSION}</dd>`);
    });
  });

  describe('with the store away', () => {
    it('still answers: the accounts and alerts unknown, the store down; the page says so', async () => {
      await redis.stop();
      const answer = await status();
      expect(answer.accounts).toBeNull();
      expect(answer.alerts.recent).toBeNull();
      expect(answer.health.store).toMatchObject({ status: 'down', kind: 'redis' });
      expect(answer.health.replicas.seen).toBeNull();
      const page = await vault.fetch('/', { headers: operator });
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('The accounts cannot be listed while the token store does not answer');
      expect(html).toMatch(/<dd id="health-store" class="down">redis, down/);
    });
  });
});
