import { brokersConfig } from '../brokers/brokers.config';
import { HttpModule } from '@nestjs/axios';
import { Test } from '@nestjs/testing';
import { AlertReceiver } from '../../test/support/alert-receiver';
import { AlertStage } from '../../test/support/alert-stage';
import { ManualClock } from '../../test/support/manual-clock';
import { RecordingLogger } from '../../test/support/recording-logger';
import { BASE_DAY } from '../../test/support/test-time';
import { until } from '../../test/support/until';
import { loadConfiguration } from '../config/load-configuration';
import { MemoryCoordinationStore } from '../coordination/memory-coordination.store';
import { VaultMetrics } from '../metrics/vault-metrics';
import { Alert, ALERT_TYPES } from './alert';
import { AlertDispatcher } from './alert-dispatcher';
import { expiredAlert } from './alert-messages';
import { AlertSettings } from './alert-settings';
import { AlertWindow, windowId } from './alert-window';
import { alertsConfig } from './alerts.config';
import { AlertChannel, ChannelRequest } from './channels/alert-channel';
import { WebhookChannel } from './channels/webhook.channel';
import { MemoryAlertDeliveryLog } from './memory-alert-delivery.log';

const NOW = BASE_DAY.at('23:45');
const MIDNIGHT = BASE_DAY.plus(1).at('00:00');
const FIFTEEN_MIN = 15 * 60_000;
const LINKS = loadConfiguration({ PUBLIC_URL: 'https://vault.desk.example' }, [brokersConfig, alertsConfig]).get(AlertSettings);
const ATTEMPTS = 3;

const expiring = (accounts: string[]): AlertWindow => ({
  id: windowId('expiring', MIDNIGHT, FIFTEEN_MIN),
  type: 'expiring',
  expiresAt: MIDNIGHT,
  leadMs: FIFTEEN_MIN,
  accounts,
});

const accountsNamed = (count: number) => Array.from({ length: count }, (_, index) => `YA${String(index + 2).padStart(4, '0')}`);

/** A channel of the test's own: it keeps each alert it is asked to put on the wire, and sends a small JSON of it. */
class PagerChannel extends AlertChannel {
  readonly name = 'pager';
  readonly asked: Alert[] = [];

  constructor(private readonly url: string) {
    super();
  }

  request(alert: Alert): ChannelRequest {
    this.asked.push(alert);
    return { url: this.url, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: alert.id, accounts: alert.accounts }) };
  }
}

/** The shared store gone away: every claim fails, as ioredis's does. */
class UnreachableCoordinationStore extends MemoryCoordinationStore {
  override async acquire(): Promise<never> {
    throw Object.assign(new Error('Connection is closed.'), { code: 'ECONNREFUSED' });
  }
  override async notIn(): Promise<never> {
    throw Object.assign(new Error('Connection is closed.'), { code: 'ECONNREFUSED' });
  }
}

/** A delivery log the store cannot take now. */
class UnwritableDeliveryLog extends MemoryAlertDeliveryLog {
  override async record(): Promise<never> {
    throw new Error('OOM command not allowed when used memory > maxmemory.');
  }
}

/**
 * Replicas of the vault's alert sending: each its own dispatcher and delivery, all on one (memory) coordination store
 * and delivery log, as replicas share Redis; the webhook and a pager channel each a real local HTTP receiver.
 */
describe(AlertDispatcher.name, () => {
  let stage: AlertStage;
  let clock: ManualClock;
  let webhook: AlertReceiver;
  let pager: AlertReceiver;
  let logger: RecordingLogger;
  let metrics: VaultMetrics;

  beforeEach(async () => {
    stage = await AlertStage.start(NOW);
    ({ clock, webhook, other: pager } = stage);
    logger = new RecordingLogger();
  });

  afterEach(() => stage.close());

  /** One replica's dispatcher, with its own delivery (and metrics), on the shared store and log. */
  async function replica(
    channels: (settings: AlertSettings) => AlertChannel[] = webhookOnly,
    env: Record<string, string> = {},
  ): Promise<AlertDispatcher> {
    const settings = stage.settings({ ALERT_RETRY_ATTEMPTS: String(ATTEMPTS), ALERT_TIMEOUT: '10s', ...env });
    const moduleRef = await Test.createTestingModule({ imports: [HttpModule], providers: stage.providers(settings, channels(settings)) })
      .setLogger(logger)
      .compile();
    logger.clear();
    const dispatcher = moduleRef.get(AlertDispatcher);
    metrics = moduleRef.get(VaultMetrics);
    stage.dispatchers.push(dispatcher);
    return dispatcher;
  }

  const webhookOnly = (settings: AlertSettings) => [new WebhookChannel(settings.webhook!.url, null)];

  /** The count of deliveries to `channel` of `type` with `result`, in the last replica's metrics. */
  async function counted(channel: string, type: string, result: string): Promise<number> {
    const { values } = await metrics.alertDeliveries.get();
    return values.find((value) => value.labels.channel === channel && value.labels.type === type && value.labels.result === result)?.value ?? 0;
  }

  describe('one alert per window per channel', () => {
    it('sends a window’s alert once, when two replicas find it due at the same moment, and never again', async () => {
      const [first, second] = [await replica(), await replica()];
      const window = expiring(['YA0002']);
      await Promise.all([first.dispatchWindows([window]), second.dispatchWindows([window])]);
      await Promise.all([first.dispatchWindows([window]), second.dispatchWindows([window])]);
      expect(webhook.bodies.map((body) => body.id)).toEqual([`expiring:YA0002:${MIDNIGHT.getTime()}:${FIFTEEN_MIN}`]);
    });

    it('sends it once to each channel: a channel’s claim is its own', async () => {
      const pagers: PagerChannel[] = [];
      const channels = (settings: AlertSettings) => [...webhookOnly(settings), pagers[pagers.push(new PagerChannel(pager.url)) - 1]];
      const [first, second] = [await replica(channels), await replica(channels)];
      const window = expiring(['YA0002', 'YA0003']);
      await Promise.all([first.dispatchWindows([window]), second.dispatchWindows([window])]);
      expect(webhook.bodies.map((body) => body.id)).toEqual([window.id]);
      expect(pager.bodies).toEqual([{ id: window.id, accounts: ['YA0002', 'YA0003'] }]);
      expect(pagers.flatMap((channel) => channel.asked)).toHaveLength(1);
    });

    it('sends an alert given by id (dispatch) once across replicas', async () => {
      const [first, second] = [await replica(), await replica()];
      const alert = expiredAlert('YA0002', MIDNIGHT, LINKS);
      await Promise.all([first.dispatch([alert]), second.dispatch([alert])]);
      await first.dispatch([alert]);
      expect(webhook.bodies.map((body) => body.id)).toEqual([alert.id]);
    });

    it('claims the alert under its id and channel, settled as sent', async () => {
      const sut = await replica();
      const window = expiring(['YA0002', 'YA0003']);
      await sut.dispatchWindows([window]);
      expect(await stage.coordination.read(stage.keys.alertClaim(window.id, 'webhook'))).toBe('sent');
      expect(await stage.coordination.notIn(stage.keys.alertAnnounced(window.id, 'webhook'), ['YA0002', 'YA0003', 'YA0004'])).toEqual({
        absent: ['YA0004'],
        size: 2,
      });
    });
  });

  describe('a window of two or more accounts', () => {
    it('goes as one digest that counts and names them, under the window’s id', async () => {
      const sut = await replica();
      const window = expiring(['YA0002', 'YA0003', 'YA0004']);
      await sut.dispatchWindows([window]);
      expect(webhook.bodies).toHaveLength(1);
      expect(webhook.bodies[0]).toMatchObject({ id: window.id, type: 'expiring', accounts: ['YA0002', 'YA0003', 'YA0004'], count: 3 });
      expect(webhook.bodies[0].message).toMatch(/^3 Pocketful tokens expire in 15 min/);
    });

    it('sends an account that joins the window later in an alert of its own, named after the accounts told before', async () => {
      const sut = await replica();
      await sut.dispatchWindows([expiring(['YA0002', 'YA0003'])]);
      await sut.dispatchWindows([expiring(['YA0002', 'YA0003', 'YA0004'])]);
      await sut.dispatchWindows([expiring(['YA0002', 'YA0003', 'YA0004'])]);
      const window = expiring([]);
      expect(webhook.bodies.map((body) => [body.id, body.accounts])).toEqual([
        [window.id, ['YA0002', 'YA0003']],
        [`expiring:YA0004:${MIDNIGHT.getTime()}:${FIFTEEN_MIN}`, ['YA0004']],
      ]);
      expect(await stage.coordination.read(stage.keys.alertClaim(`${window.id}+2`, 'webhook'))).toBe('sent');
    });
  });

  describe('a delivery that fails', () => {
    it('has a failed series at 0 for every channel and alert type from the start, so the first failure shows in increase()', async () => {
      await replica((settings) => [...webhookOnly(settings), new PagerChannel(pager.url)]);
      const { values } = await metrics.alertDeliveries.get();
      const failed = values.filter((value) => value.labels.result === 'failed');
      expect(failed.map((value) => `${value.labels.channel} ${value.labels.type}`).sort()).toEqual(
        ['webhook', 'pager'].flatMap((channel) => ALERT_TYPES.map((type) => `${channel} ${type}`)).sort(),
      );
      expect(failed.every((value) => value.value === 0)).toBe(true);
    });

    it('is retried after no answer, a 5xx or a 429, and is sent on the attempt that gets through', async () => {
      const sut = await replica();
      webhook.failures = [503, 'drop'];
      await sut.dispatchWindows([expiring(['YA0002', 'YA0003'])]);
      expect(webhook.attempts).toBe(3);
      expect(webhook.received).toHaveLength(1);
      expect(await counted('webhook', 'expiring', 'sent')).toBe(1);
      expect(logger.at('warn')).toEqual([
        `alert ${expiring([]).id} to webhook: attempt 1 got HTTP 503; retrying`,
        `alert ${expiring([]).id} to webhook: attempt 2 got connection reset (ECONNRESET); retrying`,
      ]);
    });

    it('gives up after ALERT_RETRY_ATTEMPTS: the claim settles as failed, counted and logged, and is not tried again', async () => {
      const sut = await replica();
      const window = expiring(['YA0002', 'YA0003']);
      webhook.failures = [500, 429, 502, 500];
      await sut.dispatchWindows([window]);
      expect(webhook.attempts).toBe(ATTEMPTS);
      expect(await stage.coordination.read(stage.keys.alertClaim(window.id, 'webhook'))).toBe('failed');
      expect(await counted('webhook', 'expiring', 'failed')).toBe(1);
      expect(logger.at('error')).toEqual([`alert ${window.id} to webhook failed after ${ATTEMPTS} attempt(s): HTTP 502`]);
      await (await replica()).dispatchWindows([window]);
      expect(webhook.attempts).toBe(ATTEMPTS);
      expect(webhook.received).toEqual([]);
    });

    it('says why it failed, in the log and the delivery log: the status, no answer in time, a refused connection', async () => {
      const hanging = await replica(webhookOnly, { ALERT_TIMEOUT: '200ms', ALERT_RETRY_ATTEMPTS: '1' });
      webhook.failures = ['hang'];
      await hanging.dispatch([expiredAlert('YA0002', MIDNIGHT, LINKS)]);
      const closed = await new AlertReceiver().start();
      const closedUrl = closed.url;
      await closed.stop();
      const refused = await replica(webhookOnly, { ALERT_WEBHOOK_URL: `${closedUrl}/hooks/vault`, ALERT_RETRY_ATTEMPTS: '1' });
      await refused.dispatch([expiredAlert('YA0003', MIDNIGHT, LINKS)]);
      webhook.failures = [404];
      await (await replica()).dispatch([expiredAlert('YA0004', MIDNIGHT, LINKS)]);
      expect((await stage.deliveries.latest(10)).map((delivery) => [delivery.accounts[0], delivery.result, delivery.reason])).toEqual([
        ['YA0004', 'failed', 'HTTP 404'],
        ['YA0003', 'failed', 'connection refused (ECONNREFUSED)'],
        ['YA0002', 'failed', 'no answer within 0.2 s'],
      ]);
      expect(logger.at('error')).toEqual([expect.stringMatching(/ to webhook failed after 1 attempt\(s\): HTTP 404$/)]);
    });

    it('is not retried after another answer (a 4xx): failed at once', async () => {
      const sut = await replica();
      const window = expiring(['YA0002', 'YA0003']);
      webhook.failures = [404];
      await sut.dispatchWindows([window]);
      expect(webhook.attempts).toBe(1);
      expect(await stage.coordination.read(stage.keys.alertClaim(window.id, 'webhook'))).toBe('failed');
    });

    it('leaves the failed accounts announced: the window does not send them again', async () => {
      const sut = await replica();
      webhook.failures = [400];
      await sut.dispatchWindows([expiring(['YA0002', 'YA0003'])]);
      await sut.dispatchWindows([expiring(['YA0002', 'YA0003'])]);
      expect(webhook.attempts).toBe(1);
    });

    it('is logged by the channel’s name, never its URL, which can hold a secret', async () => {
      const sut = await replica();
      webhook.failures = [503, 'drop', 500];
      await sut.dispatchWindows([expiring(['YA0002', 'YA0003'])]);
      expect(logger.at('warn')).toHaveLength(2);
      expect(logger.at('error')).toHaveLength(1);
      expect(logger.text).not.toContain(webhook.url);
      expect(logger.text).not.toContain('/hooks/vault');
    });

    it('does not hold up the other channel', async () => {
      const channels = (settings: AlertSettings) => [...webhookOnly(settings), new PagerChannel(pager.url)];
      const sut = await replica(channels);
      webhook.failures = [410];
      await sut.dispatchWindows([expiring(['YA0002', 'YA0003'])]);
      expect(webhook.received).toEqual([]);
      expect(pager.received).toHaveLength(1);
    });
  });

  describe('the delivery log', () => {
    it('keeps each settled delivery: when, channel, type, result, the first twenty accounts and their count', async () => {
      const sut = await replica();
      const accounts = accountsNamed(25);
      await sut.dispatchWindows([expiring(accounts)]);
      expect(await stage.deliveries.latest(10)).toEqual([
        { at: NOW, channel: 'webhook', type: 'expiring', result: 'sent', accounts: accounts.slice(0, 20), accountCount: 25 },
      ]);
    });

    it('keeps a failed delivery as failed, once, whichever replica made it', async () => {
      const [first, second] = [await replica(), await replica()];
      webhook.failures = [400];
      const alert = expiredAlert('YA0002', MIDNIGHT, LINKS);
      await Promise.all([first.dispatch([alert]), second.dispatch([alert])]);
      expect(await stage.deliveries.latest(10)).toEqual([
        { at: NOW, channel: 'webhook', type: 'expired', result: 'failed', reason: 'HTTP 400', accounts: ['YA0002'], accountCount: 1 },
      ]);
    });

    it('keeps nothing for an alert another replica holds', async () => {
      const sut = await replica();
      const window = expiring(['YA0002', 'YA0003']);
      await stage.coordination.acquire(stage.keys.alertClaim(window.id, 'webhook'), 60_000);
      await sut.dispatchWindows([window]);
      expect(webhook.attempts).toBe(0);
      expect(await stage.deliveries.latest(10)).toEqual([]);
    });

    it('misses only a line when it cannot be written: the alert is sent and its claim settled', async () => {
      stage.deliveries = new UnwritableDeliveryLog();
      const sut = await replica();
      const window = expiring(['YA0002', 'YA0003']);
      await sut.dispatchWindows([window]);
      expect(webhook.received).toHaveLength(1);
      expect(await stage.coordination.read(stage.keys.alertClaim(window.id, 'webhook'))).toBe('sent');
      expect(logger.at('warn')).toEqual([`alert ${window.id} to webhook: not kept in the delivery log`]);
    });
  });

  describe('stopping', () => {
    it('releases the claim of a delivery under way, and another replica then sends the alert, with the same id', async () => {
      const [stopping, other] = [await replica(), await replica()];
      const window = expiring(['YA0002', 'YA0003']);
      webhook.failures = ['hang'];
      const underWay = stopping.dispatchWindows([window]);
      await until(() => webhook.attempts === 1, 5_000, 'the first attempt');
      stopping.stop();
      await underWay;
      expect(await stage.coordination.read(stage.keys.alertClaim(window.id, 'webhook'))).toBeNull();
      expect(await stage.deliveries.latest(10)).toEqual([]);
      expect(logger.at('log')).toContain(`alert ${window.id} to webhook handed back: this replica is stopping`);
      await other.dispatchWindows([window]);
      expect(webhook.bodies.map((body) => body.id)).toEqual([window.id]);
    });

    it('releases the claim while a retry waits', async () => {
      const sut = await replica(webhookOnly, { ALERT_RETRY_DELAY: '1h' });
      const alert = expiredAlert('YA0002', MIDNIGHT, LINKS);
      webhook.failures = [503];
      const underWay = sut.dispatch([alert]);
      await until(() => logger.at('warn').length === 1, 5_000, 'the first attempt to fail');
      sut.stop();
      await underWay;
      expect(await stage.coordination.read(stage.keys.alertClaim(alert.id, 'webhook'))).toBeNull();
      expect(webhook.attempts).toBe(1);
    });

    it('claims nothing once stopped', async () => {
      const sut = await replica();
      const acquire = jest.spyOn(stage.coordination, 'acquire');
      sut.stop();
      await sut.dispatchWindows([expiring(['YA0002', 'YA0003'])]);
      await sut.dispatch([expiredAlert('YA0002', MIDNIGHT, LINKS)]);
      expect(acquire).not.toHaveBeenCalled();
      expect(webhook.attempts).toBe(0);
      expect(logger.lines).toEqual([]);
    });
  });

  describe('with the store away', () => {
    it('defers the alert: nothing sent, counted as deferred, and a warning with the error’s code', async () => {
      stage.coordination = new UnreachableCoordinationStore(clock);
      const sut = await replica();
      const window = expiring(['YA0002', 'YA0003']);
      await sut.dispatchWindows([window]);
      await sut.dispatch([expiredAlert('YA0002', MIDNIGHT, LINKS)]);
      expect(webhook.attempts).toBe(0);
      expect(await counted('webhook', 'expiring', 'deferred')).toBe(1);
      expect(await counted('webhook', 'expired', 'deferred')).toBe(1);
      expect(logger.at('warn')).toContain(`alert ${window.id} to webhook deferred: ECONNREFUSED`);
    });
  });
});
