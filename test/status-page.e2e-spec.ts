import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { hashOperatorPassword } from '../src/access/operator-password';
import { AlertService } from '../src/alerts/alert.service';
import { AlertReceiver } from './support/alert-receiver';
import { approveAtSandbox, launchChromium } from './support/chromium';
import { closeAll } from './support/close-all';
import { FakePocketful } from './support/fake-pocketful';
import { FakeZerodha } from './support/fake-zerodha';
import { freePort } from './support/free-port';
import { ManualClock } from './support/manual-clock';
import { readToken } from './support/token-requests';
import { TestVault } from './support/test-vault';
import { BASE_DAY, istForPeople } from './support/test-time';
import { VaultFixture } from './support/vault-fixture';

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
  let fixture: VaultFixture;
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
    webhook = await new AlertReceiver().start();
    fixture = await VaultFixture.start({
      broker: { expiresInSeconds: SHORT_LIFETIME_S },
      clock: new ManualClock(MORNING),
      env: {
        ALLOWED_CLIENT_IDS: 'YA0002,YA0003',
        ALERT_WEBHOOK_URL: `${webhook.url}/hook`,
        ALERT_ON_STORED: 'true',
        ALERT_SCAN_INTERVAL: '1h',
        MISSING_TOKEN_CHECK_AT: 'off',
      },
      replicas: 0,
    });
    broker = fixture.broker;
    const self = `http://127.0.0.1:${port}`;
    vault = await fixture.another({
      env: { SANDBOX: 'true', PORT: String(port), POCKETFUL_BASE_URL: `${self}/sandbox`, REDIRECT_URL: `${self}/pocketful/callback`, ADMIN_AUTH: adminAuth },
    });
    replica = await fixture.another();
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
      () => fixture?.close(),
      () => webhook?.stop(),
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
    await approveAtSandbox(page, 'YA0002');
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

    const tokens = [await readToken(vault, 'YA0002', 'ops'), await readToken(replica, 'YA0003', 'ops')];
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

/**
 * A vault with Zerodha on beside Pocketful, in a real browser: before any login the page offers both brokers' logins
 * (and no other), and afterwards each account's row sends the person to its own broker.
 */
describe('the status page with Zerodha beside Pocketful', () => {
  let pocketful: FakePocketful;
  let kite: FakeZerodha;
  let vault: TestVault;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  jest.setTimeout(30_000);

  /** The browser's next stop at Kite's login page, which the fake does not draw: the request is the evidence. */
  const toKite = () => page.waitForRequest((request) => request.url().startsWith(`${kite.url}/connect/login?`));

  beforeAll(async () => {
    pocketful = await new FakePocketful().start();
    kite = await new FakeZerodha().start();
    vault = await TestVault.start({ broker: pocketful, clock: new ManualClock(MORNING), env: { ...kite.variables, MISSING_TOKEN_CHECK_AT: 'off' } });
    browser = await launchChromium();
    context = await browser.newContext();
    page = await context.newPage();
  });

  afterAll(async () => {
    await closeAll(
      () => context?.close(),
      () => browser?.close(),
      () => vault?.close(),
      () => kite?.stop(),
      () => pocketful?.stop(),
    );
  });

  it("offers a login with each broker that is on before any account has logged in, Zerodha's going to Kite", async () => {
    await page.goto(vault.url);
    const logins = page.locator('#logins a.button');
    expect(await logins.allInnerTexts()).toEqual(['Log in with Pocketful', 'Log in with Zerodha']);
    expect(await logins.evaluateAll((links) => links.map((link) => link.getAttribute('href')))).toEqual(['/pocketful/login', '/zerodha/login']);
    const [atKite] = await Promise.all([toKite(), page.getByText('Log in with Zerodha').click()]);
    expect(new URL(atKite.url()).searchParams.get('api_key')).toBe(kite.options.apiKey);
  });

  it("sends each account's Log in to its own broker: Kite for zerodha:AB1234, Pocketful's login for YA0002", async () => {
    expect((await kite.loginAt(vault, 'AB1234')).status).toBe(200);
    await vault.login('YA0002', pocketful);
    await page.goto(vault.url);
    const zerodha = page.locator('[id="account-zerodha:AB1234"] a.button');
    const ya0002 = page.locator('#account-YA0002 a.button');
    expect(await zerodha.getAttribute('href')).toBe('/zerodha/login');
    expect(await zerodha.getAttribute('aria-label')).toBe("Log in zerodha:AB1234: choose AB1234 on Zerodha's page");
    expect(await ya0002.getAttribute('href')).toBe('/pocketful/login');
    expect(await page.locator('#logins').count()).toBe(0);
    await Promise.all([toKite(), zerodha.click()]);
  });
});
