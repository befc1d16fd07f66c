import { HttpModule } from '@nestjs/axios';
import { Test } from '@nestjs/testing';
import { AlertReceiver } from '../../test/support/alert-receiver';
import { AlertStage } from '../../test/support/alert-stage';
import { ManualClock } from '../../test/support/manual-clock';
import { RecordingLogger } from '../../test/support/recording-logger';
import { BASE_DAY, IstDay } from '../../test/support/test-time';
import { WhoamiStubBroker } from '../../test/support/whoami-stub-broker';
import { BrokerFailure } from '../brokers/broker-error';
import { BrokerSettings } from '../brokers/pocketful/pocketful.config';
import { DailyCutoff } from '../clock/daily-cutoff';
import { VaultMetrics } from '../metrics/vault-metrics';
import { AccountBrokers } from '../tokens/account-brokers';
import { EveryTokenVerification } from '../tokens/every-token-verification';
import { MemoryTokenStore } from '../tokens/memory-token.store';
import { TokenEvents } from '../tokens/token-events';
import { TokenStore } from '../tokens/token.store';
import { TokenVerification } from '../tokens/token-verification';
import { TokenSettings } from '../tokens/tokens.config';
import { AlertDispatcher } from './alert-dispatcher';
import { SlackChannel } from './channels/slack.channel';
import { WebhookChannel } from './channels/webhook.channel';
import { PreopenCheck } from './preopen-check';
import { PreopenLog } from './preopen-log';

const DAY = BASE_DAY.plus(1);
const LOGIN = 'https://vault.desk.example/pocketful/login';
const EXPECTED = ['YA0002', 'YA0003', 'YA0004', 'YA0005'];

/**
 * Replicas of the pre-open check, each with its own check, verification and dispatcher, on one (memory) token store,
 * coordination store and delivery log, as replicas share Redis; the webhook and Slack each a real local receiver.
 */
describe(PreopenCheck.name, () => {
  let stage: AlertStage;
  let clock: ManualClock;
  let store: MemoryTokenStore;
  let broker: WhoamiStubBroker;
  let webhook: AlertReceiver;
  let slack: AlertReceiver;

  beforeEach(async () => {
    stage = await AlertStage.start(DAY.at('08:00'));
    ({ clock, webhook, other: slack } = stage);
    store = new MemoryTokenStore(clock);
    broker = new WhoamiStubBroker();
  });

  afterEach(() => stage.close());

  async function replica(env: Record<string, string> = {}): Promise<{ sut: PreopenCheck; log: PreopenLog; metrics: VaultMetrics }> {
    const settings = stage.settings({ SLACK_WEBHOOK_URL: `${slack.url}/services/T/B/X`, EXPECTED_ACCOUNTS: EXPECTED.join(','), ...env });
    const channels = [new WebhookChannel(settings.webhook!.url, null), new SlackChannel(settings.slackUrl!)];
    const moduleRef = await Test.createTestingModule({
      imports: [HttpModule],
      providers: [
        ...stage.providers(settings, channels),
        PreopenCheck,
        PreopenLog,
        TokenVerification,
        EveryTokenVerification,
        TokenEvents,
        { provide: AccountBrokers, useValue: new AccountBrokers(broker, new BrokerSettings({ timeoutMs: 300 } as BrokerSettings)) },
        { provide: TokenStore, useValue: store },
        { provide: TokenSettings, useValue: new TokenSettings({ cutoff: DailyCutoff.MIDNIGHT, allowedClientIds: null }) },
      ],
    })
      .setLogger(new RecordingLogger())
      .compile();
    stage.dispatchers.push(moduleRef.get(AlertDispatcher));
    return { sut: moduleRef.get(PreopenCheck), log: moduleRef.get(PreopenLog), metrics: moduleRef.get(VaultMetrics) };
  }

  /** A token for each account, stored now and living until the next midnight. */
  async function stored(...clientIds: string[]): Promise<void> {
    for (const clientId of clientIds) {
      await store.save({
        clientId,
        accessToken: `access-token-of-${clientId}`,
        tokenType: 'bearer',
        scope: 'orders',
        issuedAt: clock.now(),
        expiresAt: IstDay.of(clock.now()).plus(1).at('00:00'),
        source: 'login',
        fingerprint: `fp-${clientId}`,
      });
    }
  }

  const live = (...clientIds: string[]) => clientIds.forEach((clientId) => broker.answers.set(`access-token-of-${clientId}`, clientId));
  const failing = (failure: BrokerFailure, ...clientIds: string[]) => clientIds.forEach((clientId) => broker.answers.set(`access-token-of-${clientId}`, failure));
  const at = (day: IstDay, time: string) => clock.set(day.at(time));

  it('runs at 08:45:00 IST and not at 08:44:59', async () => {
    const { sut, log } = await replica();
    await stored('YA0002');
    live('YA0002');

    at(DAY, '08:44:59');
    expect(await sut.tick()).toBeNull();
    expect(broker.asked).toEqual([]);
    expect(await log.last()).toBeNull();

    at(DAY, '08:45:00');
    expect(await sut.tick()).toMatchObject({ date: DAY.toString(), time: '08:45', attempt: 0, live: ['YA0002'], checked: 1 });
    expect(broker.asked).toEqual(['access-token-of-YA0002']);
  });

  it('runs once a day across replicas, however often they tick, and again the next day', async () => {
    const replicas = [await replica(), await replica()];
    await stored('YA0002', 'YA0003', 'YA0004', 'YA0005');
    live('YA0002', 'YA0005');

    at(DAY, '08:45:00');
    const made = await Promise.all(replicas.map(({ sut }) => sut.tick()));
    expect(made.filter((result) => result !== null)).toHaveLength(1);
    for (const time of ['08:45:30', '08:47:00', '08:59:00', '09:30:00']) {
      at(DAY, time);
      expect(await Promise.all(replicas.map(({ sut }) => sut.tick()))).toEqual([null, null]);
    }
    expect(broker.asked).toHaveLength(4);
    expect(webhook.received).toHaveLength(1);
    expect(slack.received).toHaveLength(1);

    at(DAY.plus(1), '08:45:10');
    await stored('YA0003');
    await Promise.all(replicas.map(({ sut }) => sut.tick()));
    expect(broker.asked).toHaveLength(4 + 1);
    expect(webhook.received).toHaveLength(2);
  });

  it('never runs when PREOPEN_CHECK_AT is off', async () => {
    const { sut, log } = await replica({ PREOPEN_CHECK_AT: 'off' });
    await stored('YA0002');
    for (const time of ['08:45:00', '09:00:00', '12:00:00']) {
      at(DAY, time);
      expect(await sut.tick()).toBeNull();
    }
    expect(broker.asked).toEqual([]);
    expect(await log.last()).toBeNull();
  });

  it('runs at the time PREOPEN_CHECK_AT sets', async () => {
    const { sut } = await replica({ PREOPEN_CHECK_AT: '07:10' });
    at(DAY, '07:09:59');
    expect(await sut.tick()).toBeNull();
    at(DAY, '07:10:00');
    expect(await sut.tick()).toMatchObject({ time: '07:10', attempt: 0 });
  });

  it('sends one message per channel naming every refused token and every expected account without one, with the login link', async () => {
    const { sut, metrics } = await replica();
    await stored('YA0002', 'YA0003', 'YA0004');
    live('YA0002');
    failing('unauthorized', 'YA0003', 'YA0004');

    at(DAY, '08:45:00');
    const result = await sut.tick();
    expect(result).toMatchObject({ live: ['YA0002'], refused: ['YA0003', 'YA0004'], missing: ['YA0005'], unknown: [], final: true });
    expect(await store.find('YA0003')).toBeNull();
    expect(await store.find('YA0004')).toBeNull();

    expect(webhook.bodies).toHaveLength(1);
    const [body] = webhook.bodies;
    expect(body).toMatchObject({ id: `preopen:${DAY}:0`, type: 'preopen', accounts: ['YA0003', 'YA0004', 'YA0005'], count: 3, loginUrl: LOGIN });
    expect(body.message).toBe(
      `Pre-open check at 08:45 IST on ${DAY}: the broker refused the tokens of YA0003, YA0004 (removed); no token for YA0005. Log in before the market opens at 09:15: ${LOGIN}`,
    );
    expect(slack.received).toHaveLength(1);
    expect(JSON.parse(slack.received[0].body).text).toContain('YA0003, YA0004 (removed); no token for YA0005');

    const text = await metrics.registry.getSingleMetricAsString('token_vault_preopen_checks_total');
    expect(text).toContain('token_vault_preopen_checks_total{result="live"} 1');
    expect(text).toContain('token_vault_preopen_checks_total{result="refused"} 2');
    expect(text).toContain('token_vault_preopen_checks_total{result="missing"} 1');
  });

  it('sends nothing when every expected account has a live token', async () => {
    const { sut } = await replica();
    await stored(...EXPECTED);
    live(...EXPECTED);
    at(DAY, '08:45:00');
    expect(await sut.tick()).toMatchObject({ live: EXPECTED, refused: [], missing: [], unknown: [], final: true });
    expect(webhook.received).toHaveLength(0);
    expect(slack.received).toHaveLength(0);
  });

  it('asks again every 5 minutes, 3 times, for a token without a verdict, and tells of it after the last', async () => {
    const { sut, log } = await replica({ EXPECTED_ACCOUNTS: 'YA0002,YA0003' });
    await stored('YA0002', 'YA0003');
    live('YA0002');
    failing('timeout', 'YA0003');

    at(DAY, '08:45:00');
    expect(await sut.tick()).toMatchObject({ attempt: 0, live: ['YA0002'], unknown: [{ clientId: 'YA0003', reason: 'broker_timeout' }], final: false });
    expect(webhook.received).toHaveLength(0);

    at(DAY, '08:49:59');
    expect(await sut.tick()).toBeNull();
    for (const [time, attempt] of [['08:50:00', 1], ['08:55:00', 2]] as const) {
      at(DAY, time);
      expect(await sut.tick()).toMatchObject({ attempt, live: ['YA0002'], unknown: [{ clientId: 'YA0003' }], final: false });
    }
    expect(webhook.received).toHaveLength(0);

    at(DAY, '09:00:00');
    expect(await sut.tick()).toMatchObject({ attempt: 3, unknown: [{ clientId: 'YA0003' }], final: true, checked: 5 });
    expect(webhook.bodies.map((body) => body.message)).toEqual([
      `Pre-open check at 08:45 IST on ${DAY} (retry 3): no answer from the broker for YA0003. Log in before the market opens at 09:15: ${LOGIN}`,
    ]);

    at(DAY, '09:05:00');
    expect(await sut.tick()).toBeNull();
    // Only YA0003 was asked again, once per retry.
    expect(broker.asked.filter((token) => token === 'access-token-of-YA0003')).toHaveLength(4);
    expect(broker.asked.filter((token) => token === 'access-token-of-YA0002')).toHaveLength(1);
    expect(await log.last()).toMatchObject({ attempt: 3, final: true });
  });

  it('alerts on a retry that finds a token refused, and stops asking once every verdict is in', async () => {
    const { sut } = await replica({ EXPECTED_ACCOUNTS: 'YA0002' });
    await stored('YA0002');
    failing('unavailable', 'YA0002');
    at(DAY, '08:45:00');
    expect(await sut.tick()).toMatchObject({ unknown: [{ clientId: 'YA0002', reason: 'broker_unavailable' }], final: false });

    failing('unauthorized', 'YA0002');
    at(DAY, '08:50:00');
    expect(await sut.tick()).toMatchObject({ attempt: 1, refused: ['YA0002'], unknown: [], final: true });
    expect(webhook.bodies.map((body) => body.id)).toEqual([`preopen:${DAY}:1`]);
    expect(webhook.bodies[0].message).toContain('(retry 1): the broker refused the token of YA0002 (removed)');

    at(DAY, '08:55:00');
    expect(await sut.tick()).toBeNull();
    expect(broker.asked).toHaveLength(2);
  });

  it('still makes the day’s check when the vault starts after its time, before the last retry’s step ends', async () => {
    const { sut } = await replica();
    at(DAY, '09:04:59');
    expect(await sut.tick()).toMatchObject({ attempt: 3, missing: EXPECTED });
    const late = await replica();
    at(DAY.plus(1), '09:05:00');
    expect(await late.sut.tick()).toBeNull();
  });
});
