import { Browser } from 'playwright-core';
import { approveAtSandbox, launchChromium } from './support/chromium';
import { freePort } from './support/free-port';
import { SpawnedVault } from './support/spawned-vault';
import { closeAll } from './support/close-all';

/**
 * The README's first command, `npm run demo`, as a person uses it: the printed login URL opened in a real browser,
 * the sandbox broker's login page clicked through, and the printed curl line's key used to fetch the token.
 */
describe('the demo in a real browser', () => {
  let browser: Browser;
  let demo: SpawnedVault;
  let loginUrl: string;
  let key: string;
  let base: string;

  // A browser on a busy machine takes its time; nothing here measures it.
  jest.setTimeout(30_000);

  beforeAll(async () => {
    const port = await freePort();
    demo = SpawnedVault.start('demo', { PORT: String(port) });
    [, loginUrl] = await demo.waitFor(/Log in:\s+(\S+)/);
    [, key] = await demo.waitFor(/Bearer (tvk_[A-Za-z0-9_-]+)/);
    base = `http://127.0.0.1:${port}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await closeAll(() => browser?.close(), () => demo?.stop());
  });

  it('prints the login URL, a service key and the curl line that fetches the token', () => {
    expect(loginUrl).toBe(`${base}/pocketful/login`);
    expect(demo.stdout).toContain(`curl -H "Authorization: Bearer ${key}" ${base}/v1/tokens/YA0002`);
  });

  it('logs in through the sandbox broker and shows whose token was stored and when it expires', async () => {
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content.Security.Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.goto(loginUrl);
    expect(await page.title()).toContain('Sandbox broker');
    await approveAtSandbox(page, 'YA0002');
    expect(await page.textContent('#account')).toBe('YA0002');
    expect(await page.textContent('#expires')).toMatch(/00:00:00 IST$/);
    // The strict Content-Security-Policy lets the page's own stylesheet through, and nothing was refused.
    // The callback runs in the page, where getComputedStyle exists; Node's types do not know it.
    const color = await page.$eval('h1', (heading) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(heading).color);
    expect(color).toBe('rgb(23, 102, 58)');
    expect(violations).toEqual([]);

    const token = await fetch(`${base}/v1/tokens/YA0002`, { headers: { authorization: `Bearer ${key}` } });
    expect(token.status).toBe(200);
    expect((await token.json()) as object).toMatchObject({ clientId: 'YA0002', source: 'login' });

    // Reloading the success page does not log in again, and says the login completed, for whom, until when.
    const expires = await page.textContent('#expires');
    await page.reload();
    expect(await page.textContent('h1')).toBe('Login already completed for YA0002');
    expect([await page.textContent('#account'), await page.textContent('#expires')]).toEqual(['YA0002', expires]);
    await page.close();
  });

  it('says the login was cancelled when the person cancels at the broker, and offers to log in again', async () => {
    const page = await browser.newPage();
    await page.goto(loginUrl);
    await page.click('#deny');
    await page.waitForSelector('#code');
    expect(await page.textContent('#code')).toBe('login_cancelled');
    await page.click('text=Log in again');
    await page.waitForSelector('#approve');
    await page.close();
  });
});
