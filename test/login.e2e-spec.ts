import { FakePocketful } from './support/fake-pocketful';
import { json, TestVault } from './support/test-vault';

describe('login through Pocketful', () => {
  let broker: FakePocketful;
  let vault: TestVault;

  beforeEach(async () => {
    broker = await new FakePocketful().start();
    vault = await TestVault.start({ broker });
  });

  afterEach(async () => {
    await vault.close();
    await broker.stop();
  });

  it('redirects to the authorize URL with scope, a fresh state, redirect_uri, response_type and client_id', async () => {
    const first = await vault.beginLogin();
    const second = await vault.beginLogin();
    const { location } = first;
    expect(`${location.origin}${location.pathname}`).toBe(`${broker.url}/oauth2/auth`);
    expect(location.searchParams.get('scope')).toBe('orders holdings');
    expect(location.searchParams.get('redirect_uri')).toBe(broker.options.redirectUrl);
    expect(location.searchParams.get('response_type')).toBe('code');
    expect(location.searchParams.get('client_id')).toBe(broker.options.appId);
    expect(Buffer.from(first.state, 'base64url').length).toBeGreaterThanOrEqual(32);
    expect(second.state).not.toBe(first.state);
  });

  it('stores the token of the account that logged in and says so with its expiry in IST', async () => {
    const page = await vault.login('YA0002', broker);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(html).toContain('YA0002');
    expect(html).toMatch(/00:00/);
    const token = await vault.fetch('/v1/tokens/YA0002', { as: 'strategy-a' });
    expect(token.status).toBe(200);
    const body = await json(token);
    expect(broker.broker.tradingInfo(`Bearer ${body.accessToken}`).status).toBe(200);
  });
});
