import { FakeDhan } from './support/fake-dhan';
import { FakeFyers } from './support/fake-fyers';
import { FakePocketful } from './support/fake-pocketful';
import { FakeUpstox } from './support/fake-upstox';
import { FakeZerodha } from './support/fake-zerodha';
import { closeAll } from './support/close-all';
import { json, TestVault } from './support/test-vault';

/** One broker's fake, as the login tests drive it: its variables for the vault and the person at its login page. */
interface BrokerUnderTest {
  name: 'zerodha' | 'upstox' | 'fyers' | 'dhan';
  /** Whether it sends the state back; Dhan does not, and the login cookie carries it. */
  returnsState: boolean;
  start(): Promise<{
    variables: Record<string, string>;
    approve(location: URL, account: string): URL;
    deny(location: URL): URL;
    exchanges(): number;
    kill(accessToken: string): void;
    stop(): Promise<void>;
  }>;
}

const BROKERS: BrokerUnderTest[] = [
  {
    name: 'zerodha',
    returnsState: true,
    async start() {
      const fake = await new FakeZerodha().start();
      return {
        variables: fake.variables,
        approve: (location, account) => fake.login(location, account),
        deny: (location) => fake.login(location, null),
        exchanges: () => fake.calls.filter((call) => call.path === '/session/token').length,
        kill: (accessToken) => fake.sandbox.end(accessToken),
        stop: () => fake.stop(),
      };
    },
  },
  {
    name: 'upstox',
    returnsState: true,
    async start() {
      const fake = await new FakeUpstox().start();
      return {
        variables: fake.variables,
        approve: (location, account) => fake.approve(location, account),
        deny: (location) => fake.deny(location),
        exchanges: () => fake.calls.filter((call) => call.path.endsWith('/login/authorization/token')).length,
        kill: (accessToken) => fake.kill(accessToken),
        stop: () => fake.stop(),
      };
    },
  },
  {
    name: 'fyers',
    returnsState: true,
    async start() {
      const fake = await new FakeFyers().start();
      return {
        variables: fake.variables,
        approve: (location, account) => fake.approve(location, account),
        deny: (location) => fake.deny(location),
        exchanges: () => fake.calls.filter((call) => call.path.endsWith('/validate-authcode')).length,
        kill: (accessToken) => fake.kill(accessToken),
        stop: () => fake.stop(),
      };
    },
  },
  {
    name: 'dhan',
    returnsState: false,
    async start() {
      const fake = await new FakeDhan().start();
      return {
        variables: fake.variables,
        approve: (location, account) => fake.approve(location, account),
        deny: (location) => fake.deny(location),
        exchanges: () => fake.callsTo('/app/consumeApp-consent').length,
        kill: (accessToken) => fake.kill(accessToken),
        stop: () => fake.stop(),
      };
    },
  },
];

function pageCode(html: string): string | undefined {
  return /id="code">([^<]*)</.exec(html)?.[1];
}

/** Where a failure page's "Log in again" goes. */
function againHref(html: string): string | undefined {
  return /<a class="button" href="([^"]*)">Log in again<\/a>/.exec(html)?.[1];
}

/** The login's state: in the way back's query, or, for a broker that sends none back, in the login cookie beside the secret. */
function stateOf(returnsState: boolean, redirect: URL, cookie: string): string {
  return returnsState ? (redirect.searchParams.get('state') ?? '') : cookie.slice(cookie.indexOf('=') + 1).split('.')[0];
}

describe.each(BROKERS)('login through $name', ({ name, returnsState, start }) => {
  let pocketful: FakePocketful;
  let broker: Awaited<ReturnType<BrokerUnderTest['start']>>;
  let vault: TestVault;

  beforeEach(async () => {
    pocketful = await new FakePocketful().start();
    broker = await start();
    vault = await TestVault.start({
      broker: pocketful,
      env: broker.variables,
      clients: [
        { name: 'ops', accounts: ['*'], admin: true },
        { name: 'desk', accounts: [`${name}:AB1234`] },
        { name: 'pocketful-desk', accounts: ['AB1234'] },
      ],
    });
  });

  afterEach(() => closeAll(() => vault?.close(), () => broker?.stop(), () => pocketful?.stop()));

  /** The person's browser: /{broker}/login, the broker's page, back to the callback with the cookie it was given. */
  async function begin(): Promise<{ location: URL; cookie: string }> {
    const response = await vault.fetch(`/${name}/login`);
    expect(response.status).toBe(302);
    const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0];
    // One cookie per login, named after its state; one per broker when it carries the state itself.
    expect(cookie).toMatch(returnsState ? new RegExp(`^${name}-login-[0-9a-f]{16}=`) : new RegExp(`^${name}-login-state=`));
    expect(response.headers.get('set-cookie')).toContain(`Path=/${name}`);
    return { location: new URL(response.headers.get('location') ?? ''), cookie };
  }

  function back(redirect: URL, cookie: string): Promise<Response> {
    expect(redirect.pathname).toBe(`/${name}/callback`);
    return vault.fetch(`${redirect.pathname}${redirect.search}`, cookie ? { headers: { cookie } } : {});
  }

  it(`stores the token as ${name}:AB1234, served to a key scoped to it, with its broker named`, async () => {
    const { location, cookie } = await begin();
    const page = await back(broker.approve(location, 'AB1234'), cookie);
    const html = await page.text();
    expect({ status: page.status, code: pageCode(html) }).toEqual({ status: 200, code: undefined });
    expect(html).toContain(`${name}:AB1234`);

    const read = await vault.fetch(`/v1/tokens/${name}/AB1234`, { as: 'desk' });
    expect(read.status).toBe(200);
    expect(await json(read)).toMatchObject({ clientId: `${name}:AB1234`, broker: name });
    expect((await vault.fetch(`/v1/tokens/${name}:ab1234`, { as: 'desk' })).status).toBe(200);
    const listed = (await json(await vault.fetch('/v1/accounts', { as: 'ops' }))) as { accounts: Array<Record<string, unknown>> };
    expect(listed.accounts).toEqual([expect.objectContaining({ clientId: `${name}:AB1234`, broker: name, state: 'live' })]);
  });

  it("refuses a key scoped to this broker's account another broker's account of the same id, and the reverse", async () => {
    const { location, cookie } = await begin();
    expect((await back(broker.approve(location, 'AB1234'), cookie)).status).toBe(200);
    // Pocketful is the default broker here: the bare AB1234 is Pocketful's account, not this one.
    expect((await vault.fetch('/v1/tokens/AB1234', { as: 'desk' })).status).toBe(403);
    expect((await vault.fetch('/v1/tokens/pocketful/AB1234', { as: 'desk' })).status).toBe(403);
    const other = name === 'zerodha' ? 'upstox' : 'zerodha';
    expect((await vault.fetch(`/v1/tokens/${other}/AB1234`, { as: 'desk' })).status).toBe(403);
    expect((await vault.fetch(`/v1/tokens/${name}/AB1234`, { as: 'pocketful-desk' })).status).toBe(403);

    // The audit names the broker's account, read and refused alike, whichever path named it.
    expect((await vault.fetch(`/v1/tokens/${name}/AB1234`, { as: 'desk' })).status).toBe(200);
    const trail = (await json(await vault.fetch(`/v1/audit?account=${name}:ab1234`, { as: 'ops' }))) as { entries: Array<Record<string, unknown>> };
    const entries = trail.entries.map(({ action, result, client, account }) => ({ action, result, client, account }));
    expect(entries).toEqual(
      expect.arrayContaining([
        { action: 'read', result: 'ok', client: 'desk', account: `${name}:AB1234` },
        { action: 'refused', result: 'forbidden', client: 'pocketful-desk', account: `${name}:AB1234` },
        { action: 'store', result: 'ok', client: expect.anything(), account: `${name}:AB1234` },
      ]),
    );
  });

  it("verifies the token with this broker's whoami, and removes it once the broker refuses it", async () => {
    const { location, cookie } = await begin();
    expect((await back(broker.approve(location, 'AB1234'), cookie)).status).toBe(200);
    expect((await vault.fetch(`/v1/tokens/${name}:AB1234/verify`, { method: 'POST', as: 'pocketful-desk' })).status).toBe(403);
    const { accessToken } = (await json(await vault.fetch(`/v1/tokens/${name}/AB1234`, { as: 'desk' }))) as { accessToken: string };
    broker.kill(accessToken);
    const refused = await vault.fetch(`/v1/tokens/${name}/AB1234/verify`, { method: 'POST', as: 'desk' });
    expect(await json(refused)).toMatchObject({ valid: false });
    expect((await vault.fetch(`/v1/tokens/${name}/AB1234`, { as: 'desk' })).status).toBe(404);
  });

  it("verifies a live token as valid with this broker's whoami", async () => {
    const { location, cookie } = await begin();
    expect((await back(broker.approve(location, 'AB1234'), cookie)).status).toBe(200);
    const verified = await vault.fetch(`/v1/tokens/${name}/AB1234/verify`, { method: 'POST', as: 'desk' });
    expect(verified.status).toBe(200);
    expect(await json(verified)).toMatchObject({ valid: true });
  });

  it('sends a reloaded callback nothing again, and a callback from another browser nothing at all', async () => {
    const { location, cookie } = await begin();
    const redirect = broker.approve(location, 'AB1234');
    const stranger = await back(redirect, '');
    expect(pageCode(await stranger.text())).toBe('login_state_mismatch');
    expect(broker.exchanges()).toBe(0);
    expect((await back(redirect, cookie)).status).toBe(200);
    // The browser that logged in is told, on a reload, what its login stored; any other that the login was used.
    const reload = await back(redirect, cookie);
    expect(reload.status).toBe(200);
    expect(await reload.text()).toContain(`<h1>Login already completed for ${name}:AB1234</h1>`);
    const elsewhere = await back(redirect, '');
    // Dhan sends no state back: without the cookie that carries it, the way back names no login at all.
    expect([elsewhere.status, pageCode(await elsewhere.text())]).toEqual(name === 'dhan' ? [400, 'login_state_mismatch'] : [409, 'state_replayed']);
    expect(broker.exchanges()).toBe(1);
  });

  it(`stores nothing for a login cancelled at the broker, and offers to log in again with ${name}`, async () => {
    const { location, cookie } = await begin();
    const page = await back(broker.deny(location), cookie);
    expect(page.status).toBeGreaterThanOrEqual(400);
    const html = await page.text();
    // Only Upstox says in OAuth2's words (`access_denied`) that the person cancelled; the others' refusals are generic.
    expect(pageCode(html)).toBe(name === 'upstox' ? 'login_cancelled' : 'login_refused');
    expect(againHref(html)).toBe(`/${name}/login`);
    expect(html).not.toContain('/pocketful/login');
    expect(broker.exchanges()).toBe(0);
    expect((await vault.fetch(`/v1/tokens/${name}/AB1234`, { as: 'ops' })).status).toBe(404);
  });

  it("does not take a state begun for this broker at Pocketful's callback", async () => {
    const { location, cookie } = await begin();
    const redirect = broker.approve(location, 'AB1234');
    const state = stateOf(returnsState, redirect, cookie);
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const page = await vault.fetch(`/pocketful/callback?code=abc&state=${encodeURIComponent(state)}`, { headers: { cookie } });
    const html = await page.text();
    expect(pageCode(html)).toBe('state_unknown');
    // It failed as a Pocketful login: that is the login to try again.
    expect(againHref(html)).toBe('/pocketful/login');
  });

  it(`offers ${name}'s login again after a callback refused before its broker was asked`, async () => {
    const page = await vault.fetch(`/${name}/callback?code=abc&tokenId=abc`);
    const html = await page.text();
    // Without a state in the query, or, for a broker that sends none back, without the cookie that carries it.
    expect(pageCode(html)).toBe(returnsState ? 'state_missing' : 'login_state_mismatch');
    expect(againHref(html)).toBe(`/${name}/login`);
  });
});

describe('a Dhan login, whose state only the login cookie carries', () => {
  let pocketful: FakePocketful;
  let dhan: FakeDhan;
  let vault: TestVault;

  beforeEach(async () => {
    pocketful = await new FakePocketful().start();
    dhan = await new FakeDhan().start();
    vault = await TestVault.start({ broker: pocketful, env: dhan.variables, clients: [{ name: 'ops', accounts: ['*'], admin: true }] });
  });

  afterEach(() => closeAll(() => vault?.close(), () => dhan?.stop(), () => pocketful?.stop()));

  async function begin(): Promise<{ redirect: URL; cookie: string; state: string }> {
    const response = await vault.fetch('/dhan/login');
    expect(response.status).toBe(302);
    const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0];
    const redirect = dhan.approve(new URL(response.headers.get('location') ?? ''), 'AB1234');
    return { redirect, cookie, state: stateOf(false, redirect, cookie) };
  }

  const back = (redirect: URL, cookie?: string, extra = '') =>
    vault.fetch(`${redirect.pathname}${redirect.search}${extra}`, cookie === undefined ? {} : { headers: { cookie } });
  const exchanges = () => dhan.callsTo('/app/consumeApp-consent').length;

  it("never takes a state from the callback's query: without the cookie, even the login's own state is refused, and the login stays pending", async () => {
    const { redirect, cookie, state } = await begin();
    const page = await back(redirect, undefined, `&state=${state}`);
    expect(pageCode(await page.text())).toBe('login_state_mismatch');
    expect(exchanges()).toBe(0);
    expect((await back(redirect, cookie)).status).toBe(200);
    expect(exchanges()).toBe(1);
  });

  it('refuses a cookie whose secret is not the one its login began with, and leaves the login to the browser that began it', async () => {
    const { redirect, cookie, state } = await begin();
    const forged = `dhan-login-state=${state}.${'F'.repeat(43)}`;
    expect(pageCode(await (await back(redirect, forged)).text())).toBe('login_state_mismatch');
    expect(exchanges()).toBe(0);
    expect((await back(redirect, cookie)).status).toBe(200);
  });

  it('refuses a cookie carrying a state the vault never handed out, sending Dhan nothing', async () => {
    const { redirect } = await begin();
    const page = await back(redirect, `dhan-login-state=${'S'.repeat(43)}.${'F'.repeat(43)}`);
    expect(pageCode(await page.text())).toBe('state_unknown');
    expect(exchanges()).toBe(0);
  });

  it("replaces a browser's pending Dhan login with its newer one: one cookie for Dhan, the newest state in it", async () => {
    const older = await begin();
    const newer = await begin();
    expect(newer.cookie.split('=')[0]).toBe(older.cookie.split('=')[0]);
    expect(newer.state).not.toBe(older.state);
    expect((await back(newer.redirect, newer.cookie)).status).toBe(200);
    // The cookie names the newer login, done: the older one's way back is told what the newer stored, nothing sent.
    expect(await (await back(older.redirect, newer.cookie)).text()).toContain('<h1>Login already completed for dhan:');
    expect(exchanges()).toBe(1);
  });

  it("shows the failure page when Dhan refuses the consent, with no cookie set and Dhan's login offered again", async () => {
    dhan.failNext(503);
    const page = await vault.fetch('/dhan/login');
    expect(page.status).toBe(502);
    expect(page.headers.get('set-cookie')).toBeNull();
    const html = await page.text();
    expect(pageCode(html)).toBe('broker_unavailable');
    expect(againHref(html)).toBe('/dhan/login');
    expect(html).not.toContain(dhan.options.apiSecret);
  });
});

describe('a broker that is not configured', () => {
  let pocketful: FakePocketful;
  let vault: TestVault;

  beforeAll(async () => {
    pocketful = await new FakePocketful().start();
    vault = await TestVault.start({ broker: pocketful });
  });

  afterAll(() => closeAll(() => vault?.close(), () => pocketful?.stop()));

  it.each(['zerodha', 'upstox', 'fyers', 'dhan'])('has no /%s/login, and sends the person to the status page rather than to it again', async (name) => {
    const response = await vault.fetch(`/${name}/login`);
    expect(response.status).toBe(404);
    const html = await response.text();
    expect(pageCode(html)).toBe('not_found');
    expect(html).toContain('<a class="button" href="/">Open the status page</a>');
    expect(againHref(html)).toBeUndefined();
  });

  it.each(['zerodha', 'upstox', 'fyers', 'dhan'])('answers /%s/callback with the same 404, as a refusal and not a failure of the vault', async (name) => {
    const response = await vault.fetch(`/${name}/callback?code=c0de&state=st4te`);
    expect(response.status).toBe(404);
    const html = await response.text();
    expect(pageCode(html)).toBe('not_found');
    expect(html).toContain(`${name} is not configured on this vault`);
  });
});
