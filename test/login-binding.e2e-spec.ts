import { FakePocketful } from './support/fake-pocketful';
import { LogCapture } from './support/log-capture';
import { json, TestVault } from './support/test-vault';
import { closeAll } from './support/close-all';
import { VaultFixture } from './support/vault-fixture';

/** The machine code a failure page shows in its #code element. */
const pageCode = async (page: Response) => /id="code">([^<]*)</.exec(await page.text())?.[1];

const stored = async (vault: TestVault, clientId: string) => (await vault.fetch(`/v1/tokens/${clientId}`, { as: 'ops' })).status;

/** `name=value` of a login cookie, and its value alone. */
const valueOf = (cookie: string) => cookie.slice(cookie.indexOf('=') + 1);

/**
 * A login's `state` is bound to the browser that began it, by a cookie: another browser can neither complete it nor
 * end it, and a stray callback (no code) leaves it for the real one.
 */
describe('a login bound to the browser that began it', () => {
  let broker: FakePocketful;
  let vault: TestVault;
  const logs = new LogCapture();

  beforeEach(async () => {
    broker = await new FakePocketful().start();
    vault = await TestVault.start({ broker, logs });
  });

  afterEach(async () => {
    await closeAll(() => vault.close(), () => broker.stop());
  });

  it('sets an HttpOnly, SameSite=Lax cookie on /pocketful with a secret that is not the state, for ten minutes', async () => {
    const response = await vault.fetch('/pocketful/login');
    const setCookie = response.headers.get('set-cookie') ?? '';
    const state = new URL(response.headers.get('location') ?? '').searchParams.get('state') ?? '';
    expect(response.status).toBe(302);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const [pair, ...attributes] = setCookie.split('; ');
    expect(pair).toMatch(/^pocketful-login-[0-9a-f]{16}=[A-Za-z0-9_-]{43}$/);
    expect(valueOf(pair)).not.toBe(state);
    expect(attributes.sort()).toEqual(['HttpOnly', 'Max-Age=600', 'Path=/pocketful', 'SameSite=Lax']);
  });

  it('completes with the cookie and keeps it to the end of the state: a reload with it hears what was stored, without it that the login was used', async () => {
    const { state } = await vault.beginLogin();
    const code = broker.broker.issueCode('YA0002');
    const page = await vault.callback({ code, state });
    expect(page.status).toBe(200);
    expect(page.headers.get('set-cookie')).toBeNull();
    const again = await vault.callback({ code, state });
    expect([again.status, (await again.text()).includes('<h1>Login already completed for YA0002</h1>')]).toEqual([200, true]);
    const reload = await vault.callback({ code, state }, '');
    expect(reload.status).toBe(409);
    expect(await pageCode(reload)).toBe('state_replayed');
    expect(broker.exchangedCodes).toEqual([code]);
  });

  it('clears the cookie of a login that ended without a token', async () => {
    const { state, cookie } = await vault.beginLogin();
    const page = await vault.callback({ error: 'access_denied', state });
    expect(await pageCode(page)).toBe('login_cancelled');
    expect(page.headers.get('set-cookie')).toBe(`${cookie.split('=')[0]}=; Max-Age=0; Path=/pocketful; HttpOnly; SameSite=Lax`);
  });

  describe('refuses a callback from another browser, and leaves the login to its own', () => {
    const others: Array<[string, (own: string, foreign: string) => string]> = [
      ['no cookie', () => ''],
      ['another login’s cookie', (_own, foreign) => foreign],
      ['another login’s secret under this login’s name', (own, foreign) => `${own.split('=')[0]}=${valueOf(foreign)}`],
      ['a cookie of the right name and a forged value', (own) => `${own.split('=')[0]}=${'A'.repeat(43)}`],
      ['a cookie of the right name and a malformed value', (own) => `${own.split('=')[0]}=${valueOf(own)}x`],
    ];

    it.each(others)('with %s', async (_name, cookieOf) => {
      const { state, cookie } = await vault.beginLogin();
      const foreign = await vault.beginLogin();
      const code = broker.broker.issueCode('YA0002');
      const forged = await vault.callback({ code, state }, cookieOf(cookie, foreign.cookie));
      expect(forged.status).toBe(400);
      expect(forged.headers.get('set-cookie')).toBeNull();
      expect(await pageCode(forged)).toBe('login_state_mismatch');
      expect(broker.calls).toEqual([]);
      expect(await stored(vault, 'YA0002')).toBe(404);

      expect((await vault.callback({ code, state })).status).toBe(200);
      expect(broker.exchangedCodes).toEqual([code]);
    });

    it('even when it says the person refused (error=access_denied)', async () => {
      const { state } = await vault.beginLogin();
      const forged = await vault.callback({ error: 'access_denied', state }, '');
      expect(await pageCode(forged)).toBe('login_state_mismatch');
      expect((await vault.callback({ code: broker.broker.issueCode('YA0002'), state })).status).toBe(200);
    });

    it('among many callbacks at once: exactly one from the right browser completes', async () => {
      const { state, cookie } = await vault.beginLogin();
      const foreign = await vault.beginLogin();
      const code = broker.broker.issueCode('YA0002');
      const cookies = Array.from({ length: 12 }, (_, index) => [cookie, '', foreign.cookie][index % 3]);
      const pages = await Promise.all(cookies.map((each) => vault.callback({ code, state }, each)));
      const texts = await Promise.all(pages.map((page) => page.text()));
      const codes = texts.map((text) => /id="code">([^<]*)</.exec(text)?.[1]);
      expect(texts.filter((text) => text.includes('<h1>Token stored for YA0002</h1>'))).toHaveLength(1);
      // Before the take, another browser is refused as such; after it, everyone learns the login was used, and the
      // browser that made it, once it stored the token, what it stored.
      cookies.forEach((each, index) => {
        if (each !== cookie) expect(['login_state_mismatch', 'state_replayed']).toContain(codes[index]);
        else if (codes[index] !== undefined) expect(codes[index]).toBe('state_replayed');
        else expect(texts[index]).toMatch(/<h1>(Token stored|Login already completed) for YA0002<\/h1>/);
      });
      expect(broker.exchangedCodes).toEqual([code]);
    });
  });

  it('answers a callback without a code with a page, and leaves the login for the one with the code', async () => {
    const { state } = await vault.beginLogin();
    for (const cookie of [undefined, '']) {
      const queries: Array<Record<string, string>> = [{ state }, { state, code: '' }, { state, scope: 'orders holdings' }];
      for (const query of queries) {
        const stray = await vault.callback(query, cookie);
        expect(stray.status).toBe(400);
        // The browser that began the login keeps its cookie for the real callback.
        expect(stray.headers.get('set-cookie')).toBeNull();
        expect(await pageCode(stray)).toBe('code_missing');
      }
    }
    expect(broker.calls).toEqual([]);
    expect((await vault.callback({ code: broker.broker.issueCode('YA0002'), state })).status).toBe(200);
  });

  it('ends the login when the person cancels at Pocketful (error=access_denied), and clears its cookie', async () => {
    const { state, cookie } = await vault.beginLogin();
    const cancelled = await vault.callback({ error: 'access_denied', error_description: 'The resource owner denied the request', state });
    expect(cancelled.status).toBe(400);
    expect(await pageCode(cancelled)).toBe('login_cancelled');
    expect(cancelled.headers.get('set-cookie')).toMatch(new RegExp(`^${cookie.split('=')[0]}=; Max-Age=0;`));
    const late = await vault.callback({ code: broker.broker.issueCode('YA0002'), state });
    expect(await pageCode(late)).toBe('state_replayed');
    expect(broker.calls).toEqual([]);
  });

  it('lets one browser run two logins at once (two tabs), completed in any order', async () => {
    const first = await vault.beginLogin();
    const second = await vault.beginLogin();
    expect(first.cookie.split('=')[0]).not.toBe(second.cookie.split('=')[0]);
    // A browser sends every cookie of the path with each request.
    const jar = `${first.cookie}; ${second.cookie}`;
    expect((await vault.callback({ code: broker.broker.issueCode('YA0003'), state: second.state }, jar)).status).toBe(200);
    expect((await vault.callback({ code: broker.broker.issueCode('YA0002'), state: first.state }, jar)).status).toBe(200);
    expect(await stored(vault, 'YA0002')).toBe(200);
    expect(await stored(vault, 'YA0003')).toBe(200);
  });

  it('names the cookie __Secure- and marks it Secure when the redirect URL is https', async () => {
    const redirectUrl = 'https://vault.desk.example/pocketful/callback';
    const httpsBroker = await new FakePocketful({ redirectUrl }).start();
    const behindTls = await TestVault.start({ broker: httpsBroker });
    try {
      const { state, cookie } = await behindTls.beginLogin();
      expect(cookie).toMatch(/^__Secure-pocketful-login-[0-9a-f]{16}=/);
      // Cleared as it was set: a login that ends without a token clears it.
      const page = await behindTls.callback({ error: 'access_denied', state });
      expect(page.headers.get('set-cookie')).toMatch(/^__Secure-pocketful-login-[0-9a-f]{16}=; Max-Age=0; Path=\/pocketful; HttpOnly; SameSite=Lax; Secure$/);
    } finally {
      await closeAll(() => behindTls.close(), () => httpsBroker.stop());
    }
  });

  it('records refusals by code, and keeps state, cookie secret, code and verifier out of audit, logs and pages', async () => {
    const { state, cookie } = await vault.beginLogin();
    const code = broker.broker.issueCode('YA0002');
    const texts = [await (await vault.callback({ code, state }, '')).text(), await (await vault.callback({ state })).text()];
    texts.push(await (await vault.callback({ code, state })).text());
    const verifier = broker.calls.find((call) => call.path === '/oauth2/token')?.form?.code_verifier ?? '';
    expect(verifier).not.toBe('');
    const entries: Array<{ action: string; result: string }> = (await json(await vault.fetch('/v1/audit', { as: 'ops' }))).entries;
    // The refusal is on record, by its code.
    expect(entries.map(({ action, result }) => `${action} ${result}`)).toEqual(['store ok', 'store code_missing', 'store login_state_mismatch']);
    const audit = JSON.stringify(entries);
    const secrets = [state, valueOf(cookie), code, verifier];
    expect(logs.leaked(secrets)).toEqual([]);
    for (const secret of secrets) {
      expect(audit).not.toContain(secret);
      for (const text of texts) expect(text).not.toContain(secret);
    }
  });
});

describe('a bound login across two replicas on one Redis', () => {
  let cluster: VaultFixture;

  beforeAll(async () => {
    cluster = await VaultFixture.start({ replicas: 2 });
  });

  afterAll(() => cluster?.close());

  it('refuses another browser on either replica without ending the login, which its own browser completes', async () => {
    const [a, b] = cluster.replicas;
    const { broker } = cluster;
    const { state } = await a.beginLogin();
    const code = broker.broker.issueCode('YA0002');
    for (const replica of [a, b]) {
      expect(await pageCode(await replica.callback({ code, state }, ''))).toBe('login_state_mismatch');
      expect(await pageCode(await replica.callback({ state }))).toBe('code_missing');
    }
    expect((await b.callback({ code, state })).status).toBe(200);
    // The other replica tells the browser that made the login what it stored, and anyone else that it was used.
    expect(await (await a.callback({ code, state })).text()).toContain('<h1>Login already completed for YA0002</h1>');
    expect(await pageCode(await a.callback({ code, state }, ''))).toBe('state_replayed');
    expect(broker.exchangedCodes).toEqual([code]);
  });
});
