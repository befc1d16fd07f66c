import { setTimeout as sleep } from 'node:timers/promises';
import { AlertService } from '../src/alerts/alert.service';
import { NO_VERDICT_SPAN_MS } from '../src/tokens/token-verification';
import { AlertReceiver } from './support/alert-receiver';
import { closeAll } from './support/close-all';
import { FakePocketful } from './support/fake-pocketful';
import { ManualClock } from './support/manual-clock';
import { readToken } from './support/token-requests';
import { json, TestVault } from './support/test-vault';
import { BASE_DAY, istIso, istMinuteOf } from './support/test-time';
import { until } from './support/until';
import { VaultFixture } from './support/vault-fixture';

const DAY = BASE_DAY.plus(1);
const LOGIN = 'https://vault.desk.example/pocketful/login';

/** The pre-open check on replicas sharing a real Redis, against the fake Pocketful, with alerts to real receivers. */
describe('the pre-open check', () => {
  let fixture: VaultFixture | null = null;
  let broker: FakePocketful;
  let webhook: AlertReceiver;
  let slack: AlertReceiver;
  let vaults: TestVault[];

  beforeEach(async () => {
    [webhook, slack] = await Promise.all([new AlertReceiver().start(), new AlertReceiver().start()]);
    fixture = null;
  });

  afterEach(() => closeAll(() => fixture?.close(), () => webhook.stop(), () => slack.stop()));

  const env = (extra: Record<string, string> = {}) => ({
    ALERT_WEBHOOK_URL: `${webhook.url}/hooks/vault`,
    SLACK_WEBHOOK_URL: `${slack.url}/services/T/B/X`,
    PUBLIC_URL: 'https://vault.desk.example',
    EXPECTED_ACCOUNTS: 'YA0002,YA0003,YA0004',
    MISSING_TOKEN_CHECK_AT: 'off',
    ALERT_RETRY_DELAY: '20ms',
    ...extra,
  });

  /** Every replica ticks at the same instant, as their timers would, and finishes what the tick started. */
  const tickAll = async () => {
    await Promise.all(vaults.map((vault) => vault.app.get(AlertService).scan()));
    await Promise.all(vaults.map((vault) => vault.app.get(AlertService).settled()));
  };
  const preopen = async () => (await json(await vaults[1].fetch('/v1/status', { as: 'ops' }))).preopen;

  describe('on the manual clock, two replicas', () => {
    let clock: ManualClock;

    beforeEach(async () => {
      clock = new ManualClock(DAY.at('08:00'));
      fixture = await VaultFixture.start({ clock, env: env({ ALERT_SCAN_INTERVAL: '1h' }), replicas: 2 });
      broker = fixture.broker;
      vaults = [fixture.vault, await fixture.another()];
    });

    it('sends one message per channel naming the token Pocketful refused and the account without one, and shows them', async () => {
      await vaults[0].login('YA0002', broker);
      await vaults[1].login('YA0003', broker);
      broker.kill(await readToken(vaults[0], 'YA0003', 'ops'));
      webhook.received.length = 0;
      slack.received.length = 0;

      clock.set(DAY.at('08:44:59'));
      await tickAll();
      expect(webhook.received).toHaveLength(0);
      expect(await preopen()).toBeNull();

      clock.set(DAY.at('08:45:00'));
      await tickAll();
      await tickAll();
      expect(webhook.bodies.map((body) => [body.type, body.accounts])).toEqual([['preopen', ['YA0003', 'YA0004']]]);
      expect(webhook.bodies[0].message).toBe(
        `Pre-open check at 08:45 IST on ${DAY}: the broker refused the token of YA0003 (removed); no token for YA0004. Log in before the market opens at 09:15: ${LOGIN}`,
      );
      expect(slack.received).toHaveLength(1);
      expect((await vaults[0].fetch('/v1/tokens/YA0003', { as: 'ops' })).status).toBe(404);

      expect(await preopen()).toEqual({
        date: String(DAY),
        time: '08:45',
        attempt: 0,
        checkedAt: istIso(DAY.at('08:45:00')),
        checked: 2,
        final: true,
        live: ['YA0002'],
        refused: ['YA0003'],
        missing: ['YA0004'],
        unknown: [],
      });
      const page = await (await vaults[0].fetch('/')).text();
      expect(page).toContain('<dd id="preopen-refused">YA0003</dd>');
      expect(page).toContain('<dd id="preopen-missing">YA0004</dd>');
    });

    it('shows a token Pocketful gave no verdict on as unknown until a retry settles it', async () => {
      await vaults[0].login('YA0002', broker);
      await vaults[0].login('YA0003', broker);
      await vaults[0].login('YA0004', broker);
      webhook.received.length = 0;
      broker.failNext(503);

      clock.set(DAY.at('08:45:00'));
      await tickAll();
      const first = await preopen();
      expect(first).toMatchObject({ attempt: 0, final: false, refused: [], missing: [] });
      expect(first.unknown).toEqual([{ clientId: expect.any(String), reason: 'broker_unavailable' }]);
      expect(first.live).toHaveLength(2);
      expect(await (await vaults[0].fetch('/')).text()).toContain(`<dd id="preopen-unknown">${first.unknown[0].clientId} (broker_unavailable)</dd>`);

      // A check without a verdict is shared for NO_VERDICT_SPAN_MS of Redis's own (real) time: five minutes pass between
      // attempts in a day, but here only the manual clock moves.
      await sleep(NO_VERDICT_SPAN_MS + 100);
      clock.set(DAY.at('08:50:00'));
      await tickAll();
      expect(await preopen()).toMatchObject({ attempt: 1, final: true, live: ['YA0002', 'YA0003', 'YA0004'], unknown: [] });
      expect(webhook.received).toHaveLength(0);
    });
  });

  it('runs with no alert channel set: the refused token is removed and the findings are on the status page', async () => {
    const clock = new ManualClock(DAY.at('08:00'));
    const quiet = env({ ALERT_SCAN_INTERVAL: '100ms' });
    delete (quiet as Record<string, string>).ALERT_WEBHOOK_URL;
    delete (quiet as Record<string, string>).SLACK_WEBHOOK_URL;
    fixture = await VaultFixture.start({ clock, env: quiet });
    vaults = [fixture.vault, fixture.vault];
    await fixture.vault.login('YA0002', fixture.broker);
    fixture.broker.kill(await readToken(fixture.vault, 'YA0002', 'ops'));
    // The vault's own timer ticks: nothing but the clock's minute is moved by the test.
    clock.set(DAY.at('08:45:00'));
    await until(async () => (await preopen()) !== null, 3_000, 'the pre-open check');
    expect(await preopen()).toMatchObject({ attempt: 0, live: [], refused: ['YA0002'], missing: ['YA0003', 'YA0004'] });
    expect((await fixture.vault.fetch('/v1/tokens/YA0002', { as: 'ops' })).status).toBe(404);
    expect(webhook.received).toHaveLength(0);
  });

  it('runs on the real clock, in the minute PREOPEN_CHECK_AT names', async () => {
    // The minute now in India: the check is due at once, as for a vault started late within its first step. Near a
    // minute's end, the next one is waited for (ten seconds at most), so that the vault's first ticks fall on the day
    // of the minute named even at midnight.
    const secondsIntoMinute = (Date.now() % 60_000) / 1000;
    if (secondsIntoMinute > 50) await sleep((60 - secondsIntoMinute) * 1000 + 100);
    const at = istMinuteOf(new Date());
    fixture = await VaultFixture.start({ env: env({ PREOPEN_CHECK_AT: at, ALERT_SCAN_INTERVAL: '1s', EXPECTED_ACCOUNTS: 'YA0002' }) });
    vaults = [fixture.vault];
    await until(() => webhook.received.length > 0, 15_000, 'the pre-open alert');
    expect(webhook.bodies).toEqual([expect.objectContaining({ type: 'preopen', accounts: ['YA0002'] })]);
    expect(webhook.bodies[0].message).toMatch(new RegExp(`^Pre-open check at ${at} IST on \\d{4}-\\d{2}-\\d{2}: no token for YA0002\\.`));
  }, 30_000);
});
