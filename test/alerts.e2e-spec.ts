import { createHmac } from 'node:crypto';
import { AlertService } from '../src/alerts/alert.service';
import { AlertReceiver } from './support/alert-receiver';
import { FakePocketful } from './support/fake-pocketful';
import { LogCapture } from './support/log-capture';
import { ManualClock } from './support/manual-clock';
import { readToken } from './support/token-requests';
import { TestRedis } from './support/redis-server';
import { json, TestVault } from './support/test-vault';
import { BASE_DAY, istForPeople, istIso } from './support/test-time';
import { until } from './support/until';
import { VaultFixture, VaultFixtureOptions } from './support/vault-fixture';
import { closeAll } from './support/close-all';

const WEBHOOK_SECRET = 'whsec-0123456789abcdef';
const BOT_TOKEN = '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef';
/** Tokens are stored on the base day and expire at the midnight that ends it. */
const DAY = BASE_DAY;
const MIDNIGHT = DAY.plus(1).at('00:00');
/** The missing-token checks run on weekdays: a week from a Monday after the base. */
const MONDAY = BASE_DAY.next('Monday');

describe('alerts', () => {
  let fixture: VaultFixture | null;
  let redis: TestRedis;
  let broker: FakePocketful;
  let webhook: AlertReceiver;
  let slack: AlertReceiver;
  let telegram: AlertReceiver;
  let clock: ManualClock;
  let vaults: TestVault[];

  beforeEach(async () => {
    [webhook, slack, telegram] = await Promise.all([new AlertReceiver().start(), new AlertReceiver().start(), new AlertReceiver().start()]);
    clock = new ManualClock(DAY.at('10:00'));
    fixture = null;
    vaults = [];
  });

  afterEach(async () => {
    await closeAll(() => fixture?.close(), () => Promise.all([webhook.stop(), slack.stop(), telegram.stop()]));
  });

  function alertEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      ALERT_WEBHOOK_URL: `${webhook.url}/hooks/vault`,
      ALERT_WEBHOOK_SECRET: WEBHOOK_SECRET,
      SLACK_WEBHOOK_URL: `${slack.url}/services/T000/B000/XXXX`,
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      TELEGRAM_CHAT_ID: '-1001234567890',
      TELEGRAM_API_URL: telegram.url,
      PUBLIC_URL: 'https://vault.desk.example',
      EXPECTED_ACCOUNTS: 'YA0002,YA0003',
      ALERT_SCAN_INTERVAL: '1h',
      ALERT_RETRY_DELAY: '20ms',
      ALERT_TIMEOUT: '500ms',
      // Its own spec covers the pre-open check (test/preopen-check.e2e-spec.ts); here it would add messages at 09:00.
      PREOPEN_CHECK_AT: 'off',
      ...extra,
    };
  }

  /** A test's first vault starts its Redis, and later ones join it as replicas; each scans once, as at start. */
  async function startVault(extra: Record<string, string> = {}, logs?: LogCapture): Promise<TestVault> {
    const vault = fixture ? await fixture.another({ env: extra, logs }) : await firstVault({ clock, env: alertEnv(extra), logs });
    vaults.push(vault);
    await alerts(vault).scan();
    return vault;
  }

  /** A vault holding YA0002's token at 23:50 on the day it expires: inside the lead of its 15-minute alert. */
  async function dueIn10Minutes(extra: Record<string, string> = {}, logs?: LogCapture): Promise<TestVault> {
    const vault = await startVault(extra, logs);
    await vault.login('YA0002', broker);
    clock.set(DAY.at('23:50:00'));
    return vault;
  }

  async function firstVault(options: VaultFixtureOptions): Promise<TestVault> {
    fixture = await VaultFixture.start(options);
    ({ redis, broker } = fixture);
    return fixture.vault;
  }

  const alerts = (vault: TestVault) => vault.app.get(AlertService);
  /** Every replica scans at the same instant, as their timers would. */
  const scanAll = async () => {
    await Promise.all(vaults.map((vault) => alerts(vault).scan()));
    await Promise.all(vaults.map((vault) => alerts(vault).settled()));
  };
  const webhookTypes = () => webhook.bodies.map((body) => `${body.type}:${body.accounts.join('+')}`);

  describe('with two replicas on one Redis', () => {
    beforeEach(async () => {
      await startVault();
      await startVault();
      await vaults[0].login('YA0002', broker);
      await vaults[1].login('YA0003', broker);
    });

    it('sends nothing for a token far from its expiry', async () => {
      await scanAll();
      expect(webhook.received).toHaveLength(0);
      expect(slack.received).toHaveLength(0);
      expect(telegram.received).toHaveLength(0);
    });

    it('sends the accounts expiring together as one digest per channel, at each lead time, whichever replica scans', async () => {
      clock.set(DAY.at('23:00:00'));
      await scanAll();
      await scanAll();
      expect(webhookTypes()).toEqual(['expiring:YA0002+YA0003']);
      expect(slack.received).toHaveLength(1);
      expect(telegram.received).toHaveLength(1);

      clock.set(DAY.at('23:30:00'));
      await scanAll();
      expect(webhook.received).toHaveLength(1);

      clock.set(DAY.at('23:45:00'));
      await scanAll();
      await scanAll();
      expect(webhook.bodies.map((body) => body.id)).toEqual([`expiring:${MIDNIGHT.getTime()}:3600000`, `expiring:${MIDNIGHT.getTime()}:900000`]);
      expect(slack.received).toHaveLength(2);
      expect(telegram.received).toHaveLength(2);
    });

    it('sends one expired digest when expected accounts’ tokens die together', async () => {
      clock.set(DAY.plus(1).at('00:00:01'));
      await scanAll();
      await scanAll();
      expect(webhookTypes()).toEqual(['expired:YA0002+YA0003']);
      clock.set(DAY.plus(1).at('00:30:00'));
      await scanAll();
      expect(webhook.received).toHaveLength(1);
    });

    it('counts the accounts of a digest, lists them, and sends it signed to the webhook, to Slack and to Telegram', async () => {
      clock.set(DAY.at('23:45:00'));
      await scanAll();
      const [delivery] = webhook.received;
      const body = JSON.parse(delivery.body);
      const message = `2 Pocketful tokens expire in 15 min, at ${istForPeople(MIDNIGHT)}: YA0002, YA0003. Log in again to keep trading: https://vault.desk.example/pocketful/login`;
      expect(body).toEqual({
        id: `expiring:${MIDNIGHT.getTime()}:900000`,
        type: 'expiring',
        accounts: ['YA0002', 'YA0003'],
        count: 2,
        expiresAt: istIso(MIDNIGHT),
        message,
        loginUrl: 'https://vault.desk.example/pocketful/login',
        sentAt: istIso(DAY.at('23:45')),
      });
      expect(delivery.headers['x-token-vault-alert-id']).toBe(body.id);
      expect(delivery.headers['x-token-vault-signature']).toBe(`sha256=${createHmac('sha256', WEBHOOK_SECRET).update(delivery.body).digest('hex')}`);
      expect(JSON.parse(slack.received[0].body).text).toBe(`:hourglass_flowing_sand: 2 Pocketful tokens expiring: ${message}`);
      expect(JSON.parse(telegram.received[0].body)).toMatchObject({ chat_id: '-1001234567890', text: message });
    });

    it('sends an account that joins an announced window on its own, as a single alert, once', async () => {
      clock.set(DAY.at('23:45:00'));
      await scanAll();
      clock.set(DAY.at('23:50:00'));
      await vaults[1].login('YA0004', broker);
      await scanAll();
      await scanAll();
      expect(webhook.bodies.map((body) => body.id)).toEqual([`expiring:${MIDNIGHT.getTime()}:900000`, `expiring:YA0004:${MIDNIGHT.getTime()}:900000`]);
      expect(webhook.bodies[1]).not.toHaveProperty('count');
      expect(webhook.bodies[1].message).toMatch(/^The Pocketful token of YA0004 expires in 10 min/);
      expect(slack.received).toHaveLength(2);
      expect(telegram.received).toHaveLength(2);
    });

    it('names the account, the time in IST and the login URL, signed for the webhook', async () => {
      // One account due: the alert it always had, not a digest.
      expect((await vaults[0].fetch('/v1/tokens/YA0003', { as: 'ops', method: 'DELETE' })).status).toBe(204);
      clock.set(DAY.at('23:45:00'));
      await scanAll();
      const delivery = webhook.received.find((request) => JSON.parse(request.body).accounts[0] === 'YA0002')!;
      const body = JSON.parse(delivery.body);
      expect(body).toEqual({
        id: expect.stringMatching(/^expiring:YA0002:/),
        type: 'expiring',
        accounts: ['YA0002'],
        expiresAt: istIso(MIDNIGHT),
        message: expect.stringContaining(istForPeople(MIDNIGHT)),
        loginUrl: 'https://vault.desk.example/pocketful/login',
        sentAt: istIso(DAY.at('23:45')),
      });
      expect(body.message).toContain('YA0002');
      expect(body.message).toContain('15 min');
      expect(body.message).toContain('https://vault.desk.example/pocketful/login');
      const expected = createHmac('sha256', WEBHOOK_SECRET).update(delivery.body).digest('hex');
      expect(delivery.headers['x-token-vault-signature']).toBe(`sha256=${expected}`);
      expect(delivery.path).toBe('/hooks/vault');

      const slackBody = JSON.parse(slack.received[0].body);
      expect(slack.received[0].path).toBe('/services/T000/B000/XXXX');
      expect(slackBody.text).toMatch(/YA000[23].*IST.*https:\/\/vault\.desk\.example\/pocketful\/login/);

      const telegramBody = JSON.parse(telegram.received[0].body);
      expect(telegram.received[0].path).toBe(`/bot${BOT_TOKEN}/sendMessage`);
      expect(telegramBody).toMatchObject({ chat_id: '-1001234567890', text: expect.stringContaining('IST') });
    });

    it('neither repeats nor skips an alert when a replica restarts', async () => {
      clock.set(DAY.at('23:45:00'));
      await scanAll();
      await vaults[0].close();
      vaults.shift();
      await startVault();
      await scanAll();
      expect(webhook.received).toHaveLength(1);

      clock.set(DAY.plus(1).at('00:00:30'));
      await vaults[0].close();
      vaults.shift();
      await startVault();
      await scanAll();
      expect(webhookTypes().filter((type) => type.startsWith('expired'))).toEqual(['expired:YA0002+YA0003']);
    });
  });

  it('sends a replica’s abandoned alert once its lease lapses, with the same id', async () => {
    await dueIn10Minutes();
    const client = redis.client();
    try {
      const keys = await (async () => {
        // A replica that claimed the webhook delivery of the window's alert and died before sending it.
        const id = `expiring:YA0002:${MIDNIGHT.getTime()}:900000`;
        const key = `token-vault:claim:alert:expiring:${MIDNIGHT.getTime()}:900000:webhook`;
        await client.set(key, 'held', 'PX', 300);
        return { id, key };
      })();
      await scanAll();
      expect(webhook.received).toHaveLength(0);
      expect(slack.received).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 350));
      await scanAll();
      await scanAll();
      expect(webhook.bodies.map((body) => body.id)).toEqual([keys.id]);
      expect(await client.get(keys.key)).toBe('sent');
    } finally {
      client.disconnect();
    }
  });

  it('hands its claim back when it stops mid-delivery, and another replica sends the alert at its next scan', async () => {
    // A receiver that never answers, and a time limit far longer than a shutdown may take.
    webhook.failures = ['hang'];
    const stopping = await dueIn10Minutes({ ALERT_TIMEOUT: '60s' });
    const scan = alerts(stopping).scan();
    await until(() => webhook.attempts > 0 && slack.received.length > 0 && telegram.received.length > 0, 5000, 'deliveries under way');
    const claim = `token-vault:claim:alert:expiring:${MIDNIGHT.getTime()}:900000:webhook`;
    const client = redis.client();
    try {
      expect(await client.get(claim)).toBe('held');
      const closing = Date.now();
      await stopping.close();
      vaults.splice(vaults.indexOf(stopping), 1);
      expect(Date.now() - closing).toBeLessThan(10_000);
      await scan;
      expect(await client.get(claim)).toBeNull();

      await startVault();
      await scanAll();
      expect(webhook.bodies.map((body) => body.id)).toEqual([`expiring:YA0002:${MIDNIGHT.getTime()}:900000`]);
      expect(await client.get(claim)).toBe('sent');
      expect(slack.received).toHaveLength(1);
      expect(telegram.received).toHaveLength(1);
    } finally {
      client.disconnect();
    }
  }, 30_000);

  it('gives a token stored ten minutes before expiry only the 15-minute alert, at once', async () => {
    clock.set(DAY.at('23:50:00'));
    const vault = await startVault();
    await vault.login('YA0002', broker);
    await scanAll();
    expect(webhook.bodies.map((body) => body.id)).toEqual([`expiring:YA0002:${MIDNIGHT.getTime()}:900000`]);
    clock.set(DAY.at('23:55:00'));
    await scanAll();
    expect(webhook.received).toHaveLength(1);
  });

  it('gives a token stored after every lead time has begun only the last one, and one stored before them none yet', async () => {
    const vault = await startVault({ ALERT_BEFORE_EXPIRY: '2h,1h' });
    await vault.login('YA0002', broker);
    await scanAll();
    expect(webhook.received).toHaveLength(0);
    clock.set(DAY.at('23:30:00'));
    await vault.login('YA0003', broker);
    await scanAll();
    expect(webhookTypes()).toEqual(['expiring:YA0002+YA0003']);
    expect(webhook.bodies[0].id).toBe(`expiring:${MIDNIGHT.getTime()}:3600000`);
  });

  describe('missing tokens', () => {
    beforeEach(() => clock.set(MONDAY.at('10:00')));

    it('lists the expected accounts without a live token at each check time, once, on weekdays', async () => {
      const vault = await startVault();
      await vault.login('YA0003', broker);
      clock.set(MONDAY.plus(1).at('08:29:59'));
      await scanAll();
      expect(webhook.received).toHaveLength(0);
      clock.set(MONDAY.plus(1).at('08:30:00'));
      await scanAll();
      await scanAll();
      expect(webhook.bodies.map((body) => [body.type, body.accounts])).toEqual([['missing', ['YA0002', 'YA0003']]]);
      expect(webhook.bodies[0].message).toContain('08:30 IST');
      expect(webhook.bodies[0].expiresAt).toBeNull();

      await vault.login('YA0003', broker);
      clock.set(MONDAY.plus(1).at('09:00:10'));
      await scanAll();
      expect(webhook.bodies.map((body) => [body.type, body.accounts])[1]).toEqual(['missing', ['YA0002']]);
      expect(webhook.received).toHaveLength(2);
    });

    it('sends none on a weekend', async () => {
      clock.set(MONDAY.plus(5).at('08:30:00'));
      await startVault();
      await scanAll();
      clock.set(MONDAY.plus(6).at('09:00:00'));
      await scanAll();
      expect(webhook.received).toHaveLength(0);
    });

    it('sends none when every expected account has a live token', async () => {
      const vault = await startVault();
      clock.set(MONDAY.plus(1).at('08:00:00'));
      await vault.login('YA0002', broker);
      await vault.login('YA0003', broker);
      clock.set(MONDAY.plus(1).at('08:30:00'));
      await scanAll();
      expect(webhook.received).toHaveLength(0);
    });
  });

  describe('a failing channel', () => {
    it('is retried with the same id, and the receiver gets one alert', async () => {
      webhook.failures = [503, 'drop', 502];
      await dueIn10Minutes();
      await scanAll();
      expect(webhook.attempts).toBe(4);
      expect(webhook.received).toHaveLength(1);
      expect(slack.received).toHaveLength(1);
    });

    it('holds up no other channel, and a final failure is logged and counted', async () => {
      webhook.failures = ['hang', 'hang', 'hang', 'hang'];
      const logs = new LogCapture();
      const vault = await dueIn10Minutes({}, logs);
      let done = false;
      const scan = alerts(vault).scan().then(() => (done = true));
      await until(() => slack.received.length > 0, 5000, 'a Slack alert');
      expect(telegram.received).toHaveLength(1);
      expect(done).toBe(false);
      await scan;
      expect(webhook.received).toHaveLength(0);
      expect(logs.text).toMatch(/alert expiring:YA0002:\d+:900000 to webhook failed after 4 attempt/);
      const metrics = await (await vault.fetch('/metrics')).text();
      expect(metrics).toMatch(/token_vault_alert_deliveries_total\{channel="webhook",type="expiring",result="failed"\} 1/);
      expect(metrics).toMatch(/token_vault_alert_deliveries_total\{channel="slack",type="expiring",result="sent"\} 1/);
      // Given up is given up: a later scan does not try again and again.
      await scanAll();
      expect(webhook.attempts).toBe(4);
    });

    it('is not retried on a 4xx other than 429', async () => {
      webhook.failures = [400];
      await dueIn10Minutes();
      await scanAll();
      expect(webhook.attempts).toBe(1);
      expect(slack.received).toHaveLength(1);
    });
  });

  describe('report-invalid', () => {
    it('removes a token Pocketful refuses and raises one invalid alert, checking once per 30 s', async () => {
      const vault = await startVault();
      await vault.login('YA0002', broker);
      broker.broker.revoke(await readToken(vault, 'YA0002', 'strategy-a'));
      const before = broker.broker.tradingInfoCalls;
      const reports = await Promise.all(
        Array.from({ length: 5 }, () => vault.fetch('/v1/tokens/YA0002/report-invalid', { as: 'strategy-a', method: 'POST' })),
      );
      const bodies = await Promise.all(reports.map((response) => json(response)));
      expect(reports.every((response) => response.status === 200)).toBe(true);
      expect(bodies.filter((body) => body.checked)).toEqual([{ clientId: 'YA0002', verdict: 'invalid', checked: true, nextCheckIn: 30 }]);
      expect(broker.broker.tradingInfoCalls - before).toBe(1);
      expect((await vault.fetch('/v1/tokens/YA0002', { as: 'strategy-a' })).status).toBe(404);
      await alerts(vault).settled();
      expect(webhookTypes()).toEqual(['invalid:YA0002']);
      expect(webhook.bodies[0].message).toMatch(/reported by strategy-a/);

      const later = await json(await vault.fetch('/v1/tokens/YA0002/report-invalid', { as: 'strategy-a', method: 'POST' }));
      expect(later).toMatchObject({ verdict: 'invalid', checked: false });
    });

    it('keeps a token Pocketful accepts, and says so', async () => {
      const vault = await startVault();
      await vault.login('YA0002', broker);
      const response = await vault.fetch('/v1/tokens/YA0002/report-invalid', { as: 'strategy-a', method: 'POST' });
      expect(await json(response)).toMatchObject({ verdict: 'live', checked: true });
      expect((await vault.fetch('/v1/tokens/YA0002', { as: 'strategy-a' })).status).toBe(200);
      await alerts(vault).settled();
      expect(webhook.received).toHaveLength(0);
    });

    it('is refused to a client not allowed the account, and 404 without a token', async () => {
      const vault = await startVault();
      await vault.login('YA0003', broker);
      expect((await vault.fetch('/v1/tokens/YA0003/report-invalid', { as: 'strategy-a', method: 'POST' })).status).toBe(403);
      expect((await vault.fetch('/v1/tokens/YA0002/report-invalid', { as: 'strategy-a', method: 'POST' })).status).toBe(404);
    });
  });

  it('announces a stored token when ALERT_ON_STORED is true', async () => {
    const vault = await startVault({ ALERT_ON_STORED: 'true' });
    await vault.login('YA0002', broker);
    await alerts(vault).settled();
    expect(webhookTypes()).toEqual(['stored:YA0002']);
    expect(webhook.bodies[0].message).toContain('00:00:00 IST');
  });

  it('starts with no channel, says once that alerts are off, and is ready', async () => {
    const logs = new LogCapture();
    const vault = await firstVault({ clock, logs });
    expect((await vault.fetch('/health/ready')).status).toBe(200);
    expect(logs.lines.filter((line) => line.includes('alerts are off'))).toHaveLength(1);
    expect(await alerts(vault).scan()).toEqual({ windows: [], alerts: [] });
  });
});
