import { AlertService } from '../src/alerts/alert.service';
import { AlertReceiver } from './support/alert-receiver';
import { closeAll } from './support/close-all';
import { EventStreamClient, ReceivedEvent } from './support/event-stream-client';
import { FakePocketful } from './support/fake-pocketful';
import { ManualClock } from './support/manual-clock';
import { readToken } from './support/token-requests';
import { DEFAULT_CLIENTS, json, TestVault } from './support/test-vault';
import { BASE_DAY, istIso } from './support/test-time';
import { VaultFixture } from './support/vault-fixture';

const TEN_AM_IST = BASE_DAY.at('10:00');
const MIDNIGHT_AFTER = BASE_DAY.plus(1).at('00:00');
const LOGIN_URL = 'https://vault.desk.example/pocketful/login';
const TRADING_INFO = '/api/v1/user/trading_info';

const removedOf = (clientId: string) => (event: ReceivedEvent) => event.event === 'token.removed' && event.data.clientId === clientId;

describe.each(['memory', 'redis'] as const)('token verification (%s store)', (store) => {
  let fixture: VaultFixture;
  let broker: FakePocketful;
  let webhook: AlertReceiver;
  let clock: ManualClock;
  let vault: TestVault;
  let env: Record<string, string>;
  let tests = 0;
  const streams: EventStreamClient[] = [];

  beforeAll(async () => {
    fixture = await VaultFixture.start({
      store,
      clients: [...DEFAULT_CLIENTS, { name: 'everything-reader', accounts: ['*'] }],
      replicas: 0,
    });
    broker = fixture.broker;
    webhook = await new AlertReceiver().start();
  });

  /** Each test has a vault of its own, on Redis under a key prefix of its own, alerting to the webhook. */
  beforeEach(async () => {
    clock = new ManualClock(TEN_AM_IST);
    tests += 1;
    webhook.received.length = 0;
    broker.tradingInfoReply = null;
    env = {
      ...(store === 'redis' ? { REDIS_KEY_PREFIX: `v${tests}:` } : {}),
      ALERT_WEBHOOK_URL: `${webhook.url}/hooks/vault`,
      PUBLIC_URL: 'https://vault.desk.example',
      ALERT_SCAN_INTERVAL: '1h',
      MISSING_TOKEN_CHECK_AT: 'off',
      ALERT_RETRY_DELAY: '20ms',
      ALERT_TIMEOUT: '500ms',
      POCKETFUL_TIMEOUT_MS: '1000',
    };
    vault = await fixture.another({ clock, env });
  });

  afterEach(() => closeAll(...streams.splice(0).map((stream) => () => stream.close()), () => vault.close()));

  afterAll(() => closeAll(() => fixture?.close(), () => webhook?.stop()));

  const verify = (clientId: string, as = 'strategy-a', on = vault) => on.fetch(`/v1/tokens/${clientId}/verify`, { as, method: 'POST' });
  const verifyAll = (as = 'ops') => vault.fetch('/v1/tokens/verify', { as, method: 'POST' });
  const brokerCalls = () => broker.calls.filter((call) => call.path === TRADING_INFO).length;
  const alertsSettled = () => vault.app.get(AlertService).settled();
  const auditOf = async (clientId: string) =>
    (await json(await vault.fetch(`/v1/audit?account=${clientId}&action=verify`, { as: 'ops' }))).entries as Array<Record<string, unknown>>;

  async function watch(): Promise<EventStreamClient> {
    const stream = await EventStreamClient.open(vault, 'ops');
    streams.push(stream);
    return stream;
  }

  describe('POST /v1/tokens/:clientId/verify', () => {
    it('answers valid true for a token the broker accepts as the account’s, and keeps it', async () => {
      await vault.login('YA0002', broker);
      const before = brokerCalls();
      const response = await verify('YA0002');
      expect(response.status).toBe(200);
      expect(await json(response)).toEqual({ clientId: 'YA0002', valid: true, checkedAt: istIso(TEN_AM_IST) });
      expect(brokerCalls() - before).toBe(1);
      expect((await vault.fetch('/v1/tokens/YA0002', { as: 'strategy-a' })).status).toBe(200);
      expect(await auditOf('YA0002')).toEqual([expect.objectContaining({ action: 'verify', result: 'valid', client: 'strategy-a' })]);
    });

    it('removes a token the broker refuses: valid false, token.removed, an audit entry and an invalid alert with the login link', async () => {
      const stream = await watch();
      await vault.login('YA0002', broker);
      broker.kill(await readToken(vault, 'YA0002', 'strategy-a'));
      const response = await verify('YA0002');
      expect(response.status).toBe(200);
      expect(await json(response)).toEqual({ clientId: 'YA0002', valid: false, reason: 'token_rejected', checkedAt: istIso(TEN_AM_IST) });
      expect((await vault.fetch('/v1/tokens/YA0002', { as: 'strategy-a' })).status).toBe(404);

      const removed = await stream.next(removedOf('YA0002'), 5000, 'token.removed');
      expect(removed.data).toMatchObject({ reason: 'invalid', expiresAt: istIso(MIDNIGHT_AFTER) });
      const [entry] = await auditOf('YA0002');
      expect(entry).toMatchObject({ action: 'verify', result: 'invalid', client: 'strategy-a', account: 'YA0002' });
      expect(entry.fingerprint).toEqual(expect.any(String));
      await alertsSettled();
      expect(webhook.bodies).toEqual([expect.objectContaining({ type: 'invalid', accounts: ['YA0002'], loginUrl: LOGIN_URL })]);
      expect(webhook.bodies[0].message).toMatch(/^Pocketful refused the token of YA0002 .*\(verify asked by strategy-a\); the vault removed it\. Log in again: https:\/\/vault\.desk\.example\/pocketful\/login$/);
    });

    it('removes a token the broker says is another account’s, and never serves it again', async () => {
      await vault.login('YA0002', broker);
      broker.tradingInfoReply = { status: 200, body: { status: 'success', data: { client_id: 'YA0003' } } };
      const body = await json(await verify('YA0002'));
      expect(body).toMatchObject({ clientId: 'YA0002', valid: false, reason: 'wrong_account' });
      broker.tradingInfoReply = null;
      expect((await vault.fetch('/v1/tokens/YA0002', { as: 'strategy-a' })).status).toBe(404);
      await alertsSettled();
      expect(webhook.bodies.map((alert) => alert.message)).toEqual([expect.stringMatching(/the token stored for YA0002 is another account's/)]);
    });

    it.each([
      ['a broker slower than POCKETFUL_TIMEOUT_MS', () => broker.delayNext(3_000), 'broker_timeout'],
      ['a 5xx from the broker', () => broker.failNext(503), 'broker_unavailable'],
      ['an answer without a client id', () => (broker.tradingInfoReply = { status: 200, body: { status: 'success', data: {} } }), 'broker_malformed_response'],
    ])('answers valid null for %s, and removes nothing', async (_, fault, reason) => {
      const stream = await watch();
      await vault.login('YA0002', broker);
      fault();
      const response = await verify('YA0002');
      broker.tradingInfoReply = null;
      expect(response.status).toBe(200);
      expect(await json(response)).toEqual({ clientId: 'YA0002', valid: null, reason, checkedAt: istIso(TEN_AM_IST) });
      expect((await vault.fetch('/v1/tokens/YA0002', { as: 'strategy-a' })).status).toBe(200);
      expect((await auditOf('YA0002'))[0]).toMatchObject({ action: 'verify', result: reason });
      await alertsSettled();
      expect(webhook.received).toHaveLength(0);
      expect(stream.events.filter(removedOf('YA0002'))).toEqual([]);
    });

    it('is refused (403) to a key that may not read the account, without asking the broker', async () => {
      await vault.login('YA0003', broker);
      const before = brokerCalls();
      const response = await verify('YA0003');
      expect(response.status).toBe(403);
      expect((await json(response)).error).toBe('forbidden');
      expect(brokerCalls()).toBe(before);
      expect((await vault.fetch('/v1/tokens/YA0003', { as: 'ops' })).status).toBe(200);
    });

    it('answers 404 token_not_found when no token is stored', async () => {
      const response = await verify('YA0002');
      expect(response.status).toBe(404);
      expect((await json(response)).error).toBe('token_not_found');
    });

    it('asks the broker once for verifies of an account at the same time, and shares the verdict for 30 s', async () => {
      await vault.login('YA0002', broker);
      const before = brokerCalls();
      // The first check is still out at the broker when the second verify arrives: it waits for that verdict.
      broker.delayNext(200);
      const answers = await Promise.all([verify('YA0002'), verify('YA0002', 'everything-reader')]).then((responses) => Promise.all(responses.map(json)));
      expect(answers).toEqual([
        { clientId: 'YA0002', valid: true, checkedAt: istIso(TEN_AM_IST) },
        { clientId: 'YA0002', valid: true, checkedAt: istIso(TEN_AM_IST) },
      ]);
      clock.advance(29_000);
      expect(await json(await verify('YA0002'))).toMatchObject({ valid: true, checkedAt: istIso(TEN_AM_IST) });
      expect(brokerCalls() - before).toBe(1);
    });

    it('shares a report-invalid’s check: a verify right after it answers its verdict without asking again', async () => {
      await vault.login('YA0002', broker);
      broker.kill(await readToken(vault, 'YA0002', 'strategy-a'));
      const before = brokerCalls();
      expect(await json(await vault.fetch('/v1/tokens/YA0002/report-invalid', { as: 'strategy-a', method: 'POST' }))).toMatchObject({ verdict: 'invalid', checked: true });
      expect(await json(await verify('YA0002'))).toMatchObject({ valid: false, reason: 'token_rejected' });
      expect(brokerCalls() - before).toBe(1);
    });
  });

  describe('POST /v1/tokens/verify', () => {
    it('verifies every stored token, removing the ones the broker refuses', async () => {
      await vault.login('YA0002', broker);
      await vault.login('YA0003', broker);
      broker.kill(await readToken(vault, 'YA0003', 'ops'));
      const response = await verifyAll();
      expect(response.status).toBe(200);
      expect(await json(response)).toEqual({
        checkedAt: istIso(TEN_AM_IST),
        results: [
          { clientId: 'YA0002', valid: true },
          { clientId: 'YA0003', valid: false, reason: 'token_rejected' },
        ],
      });
      expect((await vault.fetch('/v1/tokens/YA0002', { as: 'ops' })).status).toBe(200);
      expect((await vault.fetch('/v1/tokens/YA0003', { as: 'ops' })).status).toBe(404);
      expect(await auditOf('YA0003')).toEqual([expect.objectContaining({ action: 'verify', result: 'invalid', client: 'ops' })]);
      await alertsSettled();
      expect(webhook.bodies.map((alert) => alert.accounts)).toEqual([['YA0003']]);
    });

    it('answers an empty list when no token is stored', async () => {
      expect(await json(await verifyAll())).toEqual({ checkedAt: istIso(TEN_AM_IST), results: [] });
    });

    it('is for admin keys only', async () => {
      await vault.login('YA0002', broker);
      const before = brokerCalls();
      for (const as of ['strategy-a', 'everything-reader']) {
        const response = await verifyAll(as);
        expect(response.status).toBe(403);
        expect((await json(response)).error).toBe('forbidden');
      }
      expect(brokerCalls()).toBe(before);
    });
  });

  if (store === 'redis') {
    it('asks the broker once when two replicas verify an account at the same time', async () => {
      const other = await fixture.another({ clock, env });
      try {
        await vault.login('YA0002', broker);
        const before = brokerCalls();
        broker.delayNext(200);
        const answers = await Promise.all([verify('YA0002'), verify('YA0002', 'strategy-a', other)]).then((responses) => Promise.all(responses.map(json)));
        expect(answers.map((answer) => answer.valid)).toEqual([true, true]);
        expect(brokerCalls() - before).toBe(1);
      } finally {
        await other.close();
      }
    });
  }
});
