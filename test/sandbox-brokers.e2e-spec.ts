import { Browser, Page } from 'playwright-core';
import { BrokerId } from '../src/brokers/broker-adapter';
import { approveAtSandbox, launchChromium } from './support/chromium';
import { closeAll } from './support/close-all';
import { freePort } from './support/free-port';
import { SpawnedVault } from './support/spawned-vault';

/** Each broker the sandbox stands in for besides Pocketful, with an account of its own sandbox, in its id format. */
const BROKERS: ReadonlyArray<{ broker: BrokerId; name: string; account: string }> = [
  { broker: 'zerodha', name: 'Zerodha', account: 'AB1234' },
  { broker: 'upstox', name: 'Upstox', account: '7BAB12' },
  { broker: 'fyers', name: 'Fyers', account: 'XY01234' },
  { broker: 'dhan', name: 'Dhan', account: '1000000001' },
];

/**
 * `npm run demo` with no broker configured: the sandbox stands in for every broker, each at its own page under
 * /sandbox/<broker>, and a login through any of them, in a real browser, stores that broker's token.
 */
describe('the sandbox stands in for every broker, in a real browser', () => {
  let browser: Browser;
  let demo: SpawnedVault;
  let page: Page;
  let base: string;
  let key: string;

  // A browser on a busy machine takes its time; nothing here measures it.
  jest.setTimeout(30_000);

  const read = (path: string) => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } });
  const storedAccounts = async () => ((await (await read('/v1/accounts')).json()) as { accounts: Array<{ clientId: string }> }).accounts.map((each) => each.clientId);

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    demo = SpawnedVault.start('demo', { PORT: String(port) });
    [, key] = await demo.waitFor(/Bearer (tvk_[A-Za-z0-9_-]+)/);
    browser = await launchChromium();
  });

  beforeEach(async () => {
    page = await browser.newPage();
  });

  afterEach(async () => {
    await page?.close();
  });

  afterAll(async () => {
    await closeAll(() => browser?.close(), () => demo?.stop());
  });

  it("prints every broker's login link and how to read a Zerodha token", () => {
    for (const broker of ['pocketful', ...BROKERS.map((each) => each.broker)]) expect(demo.stdout).toContain(`${base}/${broker}/login\n`);
    expect(demo.stdout).toContain(`curl -H "Authorization: Bearer ${key}" ${base}/v1/tokens/zerodha/AB1234\n`);
  });

  it("keeps the stand-ins' routes out of the API's description: they are the brokers' API, not the vault's", async () => {
    const document = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths).length).toBeGreaterThan(10);
    expect(Object.keys(document.paths).filter((path) => path.startsWith('/sandbox'))).toEqual([]);
  });

  it.each(BROKERS)("logs in to $name through its stand-in's page, and serves the token as that broker's", async ({ broker, name, account }) => {
    await page.goto(`${base}/${broker}/login`);
    expect(new URL(page.url()).pathname.startsWith(`/sandbox/${broker}/`)).toBe(true);
    expect(await page.title()).toContain(`Sandbox broker login: ${name}`);
    await approveAtSandbox(page, account);
    expect(new URL(page.url()).pathname).toBe(`/${broker}/callback`);
    expect(await page.textContent('#account')).toBe(`${broker}:${account}`);

    const answer = await read(`/v1/tokens/${broker}/${account}`);
    expect(answer.status).toBe(200);
    const token = (await answer.json()) as { clientId: string; broker: string; accessToken: string; source: string };
    expect(token).toMatchObject({ clientId: `${broker}:${account}`, broker, source: 'login' });
    expect(token.accessToken.length).toBeGreaterThan(20);
  });

  it("shows the login-failed page when the person cancels at a stand-in's page, and stores nothing", async () => {
    const before = await storedAccounts();
    await page.goto(`${base}/zerodha/login`);
    await page.check('input[value="CD5678"]');
    await page.click('#deny');
    await page.waitForSelector('#code');
    expect(await page.title()).toContain('Login failed');
    expect(await page.textContent('#code')).toBe('login_refused');
    expect(await page.textContent('#message')).toContain('cancelled');

    expect((await read('/v1/tokens/zerodha/CD5678')).status).toBe(404);
    expect(await storedAccounts()).toEqual(before);
  });
});
