import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { hashOperatorPassword } from '../src/access/operator-password';
import { AlertService } from '../src/alerts/alert.service';
import { AlertReceiver } from './support/alert-receiver';
import { launchChromium } from './support/chromium';
import { closeAll } from './support/close-all';
import { FakePocketful } from './support/fake-pocketful';
import { freePort } from './support/free-port';
import { ManualClock } from './support/manual-clock';
import { TestRedis } from './support/redis-server';
import { json, newEncryptionKey, TestVault } from './support/test-vault';
import { BASE_DAY, istForPeople } from './support/test-time';

const ARTIFACTS = join(__dirname, '..', 'test-artifacts');
const OPERATOR = { username: 'ops', password: 'a long operator password' };
/** The lowest cost ADMIN_AUTH accepts: the password is not what these tests are about. */
const CHEAP_HASH = { log2n: 14, r: 8, p: 1 };
const MORNING = BASE_DAY.at('10:00');
const MIDNIGHT = BASE_DAY.plus(1).at('00:00');
/** What the second replica's broker says a token lives: twenty minutes, inside the hour in which a token is expiring. */
const SHORT_LIFETIME_S = 20 * 60;

type Styled = { getComputedStyle(element: unknown): { display: string } };

/**
 * The operator's morning on the page at `/`, in a real browser: two replicas on one Redis, the first serving the
 * sandbox broker behind an operator password, the second talking to a broker whose tokens live twenty minutes.
 */
describe('the status page in a real browser', () => {
  let redis: TestRedis;
  let broker: FakePocketful;
  let webhook: AlertReceiver;
  let vault: TestVault;
  let replica: TestVault;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const violations: string[] = [];

  jest.setTimeout(30_000);

  const row = (clientId: string) => page.locator(`#account-${clientId}`);
  const cell = (clientId: string, label: string) => row(clientId).locator(`td[data-label="${label}"]`).innerText();

  beforeAll(async () => {
    const port = await freePort();
    const adminAuth = `basic:${OPERATOR.username}:${await hashOperatorPassword(OPERATOR.password, CHEAP_HASH)}`;
    [redis, broker, webhook] = await Promise.all([
      TestRedis.start(),
      new FakePocketful({ expiresInSeconds: SHORT_LIFETIME_S }).start(),
      new AlertReceiver().start(),
    ]);
    const clock = new ManualClock(MORNING);
    const shared = {
      TOKEN_STORE: 'redis',
      REDIS_URL: redis.url,
      VAULT_ENCRYPTION_KEY: newEncryptionKey(),
      ALLOWED_CLIENT_IDS: 'YA0002,YA0003',
      ALERT_WEBHOOK_URL: `${webhook.url}/hook`,
      ALERT_ON_STORED: 'true',
      ALERT_SCAN_INTERVAL: '1h',
      MISSING_TOKEN_CHECK_AT: 'off',
    };
    const self = `http://127.0.0.1:${port}`;
    vault = await TestVault.start({
      broker,
      clock,
      env: {
        ...shared,
        SANDBOX: 'true',
        PORT: String(port),
        POCKETFUL_BASE_URL: `${self}/sandbox`,
        REDIRECT_URL: `${self}/pocketful/callback`,
        ADMIN_AUTH: adminAuth,
      },
    });
    replica = await TestVault.start({ broker, clock, env: shared, keys: vault.keys });
    browser = await launchChromium();
    context = await browser.newContext({ httpCredentials: { ...OPERATOR, origin: self, send: 'always' }, viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('console', (message) => {
      if (/Content.Security.Policy/i.test(message.text())) violations.push(message.text());
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await closeAll(
      () => context?.close(),
      () => browser?.close(),
      () => replica?.close(),
      () => vault?.close(),
      () => webhook?.stop(),
      () => broker?.stop(),
      () => redis?.destroy(),
    );
  });

  it('shows both expected accounts missing, each with a Log in button', async () => {
    await page.goto(vault.url);
    expect(await page.title()).toContain('Status');
    for (const clientId of ['YA0002', 'YA0003']) {
      expect(await row(clientId).getAttribute('data-state')).toBe('missing');
      expect(await cell(clientId, 'State')).toBe('missing');
      expect(await row(clientId).locator('a.button').innerText()).toBe('Log in');
    }
    expect(await page.locator('#summary').innerText()).toBe('No live token for YA0002, YA0003: log them in.');
  });

  it('logs an account in from its row through the sandbox broker, and shows it live with its expiry in IST', async () => {
    await row('YA0002').locator('a.button').click();
    await page.waitForSelector('#approve');
    expect(await page.title()).toContain('Sandbox broker');
    await page.check('input[value="YA0002"]');
    await page.click('#approve');
    await page.waitForSelector('#account');
    expect(await page.textContent('#account')).toBe('YA0002');

    await page.click('#status');
    await page.waitForSelector('#account-YA0002');
    await page.reload();
    expect(await row('YA0002').getAttribute('data-state')).toBe('live');
    expect(await cell('YA0002', 'State')).toBe('live');
    expect(await cell('YA0002', 'Source')).toBe('login');
    expect(await cell('YA0002', 'Issued')).toBe(istForPeople(MORNING));
    expect(await cell('YA0002', 'Expires')).toBe(istForPeople(MIDNIGHT));
    expect(await cell('YA0002', 'Time left')).toBe('14 h 00 min');
    expect(await row('YA0003').getAttribute('data-state')).toBe('missing');
  });

  it('flags a token that expires within the hour, lists the alerts sent, and counts both replicas', async () => {
    await replica.login('YA0003', broker);
    await Promise.all([vault, replica].map((each) => each.app.get(AlertService).settled()));
    await page.reload();

    expect(await row('YA0003').getAttribute('data-state')).toBe('expiring');
    expect(await cell('YA0003', 'State')).toBe('expiring soon');
    expect(await cell('YA0003', 'Expires')).toBe(istForPeople(new Date(MORNING.getTime() + SHORT_LIFETIME_S * 1000)));
    expect(await cell('YA0003', 'Time left')).toBe('20 min');
    expect(await row('YA0002').getAttribute('data-state')).toBe('live');
    expect(await page.locator('#summary').innerText()).toBe('Every expected account has a live token (2).');

    const alerts = await page.locator('#alerts tbody tr').allInnerTexts();
    expect(alerts).toHaveLength(2);
    expect(alerts[0]).toMatch(/webhook\s+stored\s+YA0003\s+sent/);
    expect(alerts[1]).toMatch(/webhook\s+stored\s+YA0002\s+sent/);
    expect(await page.locator('#health-replicas').innerText()).toBe('2 seen in the last 30 s');
    expect(await page.locator('#health-store').innerText()).toMatch(/^redis, up/);

    const tokens = [
      (await json(await vault.fetch('/v1/tokens/YA0002', { as: 'ops' }))).accessToken as string,
      (await json(await replica.fetch('/v1/tokens/YA0003', { as: 'ops' }))).accessToken as string,
    ];
    expect(tokens.every((token) => token.length > 40)).toBe(true);
    const html = await page.content();
    for (const token of tokens) expect(html).not.toContain(token);

    const screenshot = join(ARTIFACTS, 'status-page.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(statSync(screenshot).size).toBeGreaterThan(10_000);
    expect(violations).toEqual([]);
  });

  it('reads on a phone: one card per account, nothing wider than the screen', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    await page.reload();
    const widths = await page.evaluate(() => {
      const { document, innerWidth } = globalThis as unknown as { document: { documentElement: { scrollWidth: number } }; innerWidth: number };
      return { page: document.documentElement.scrollWidth, screen: innerWidth };
    });
    expect(widths.screen).toBe(375);
    expect(widths.page).toBeLessThanOrEqual(widths.screen);
    const heading = await page.$eval('#accounts thead', (thead) => (globalThis as unknown as Styled).getComputedStyle(thead).display);
    expect(heading).toBe('none');
    expect(await cell('YA0003', 'State')).toContain('expiring soon');
    await page.screenshot({ path: join(ARTIFACTS, 'status-page-phone.png'), fullPage: true });
  });
});
