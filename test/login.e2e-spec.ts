import { ManualClock } from './support/manual-clock';
import { FakePocketful } from './support/fake-pocketful';
import { importToken, readToken, readTokenRecord } from './support/token-requests';
import { json, TestVault } from './support/test-vault';
import { BASE_DAY, istForPeople, istIso } from './support/test-time';
import { closeAll } from './support/close-all';
import { VaultFixture } from './support/vault-fixture';

const NOON_IST = BASE_DAY.at('12:00');
const MIDNIGHT_AFTER = BASE_DAY.plus(1).at('00:00');

/** The machine code a failure page shows in its #code element. */
function pageCode(html: string): string | undefined {
  return /id="code">([^<]*)</.exec(html)?.[1];
}

async function storedToken(vault: TestVault, clientId: string): Promise<number> {
  return (await vault.fetch(`/v1/tokens/${clientId}`, { as: 'ops' })).status;
}

describe('login through Pocketful', () => {
  let broker: FakePocketful;
  let vault: TestVault;
  let clock: ManualClock;

  beforeEach(async () => {
    broker = await new FakePocketful().start();
    clock = new ManualClock(NOON_IST);
    vault = await TestVault.start({ broker, clock, env: { POCKETFUL_TIMEOUT_MS: '300' } });
  });

  afterEach(async () => {
    await closeAll(() => vault.close(), () => broker.stop());
  });

  it('redirects to the authorize URL with scope, a fresh state, redirect_uri, response_type, client_id and a PKCE challenge', async () => {
    const first = await vault.beginLogin();
    const second = await vault.beginLogin();
    const { location } = first;
    expect(`${location.origin}${location.pathname}`).toBe(`${broker.url}/oauth2/auth`);
    expect(location.searchParams.get('scope')).toBe('orders holdings');
    expect(location.searchParams.get('redirect_uri')).toBe(broker.options.redirectUrl);
    expect(location.searchParams.get('response_type')).toBe('code');
    expect(location.searchParams.get('client_id')).toBe(broker.options.appId);
    // PKCE and the browser binding: test/login-pkce.e2e-spec.ts, test/login-binding.e2e-spec.ts.
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(first.cookie).toMatch(/^pocketful-login-[0-9a-f]{16}=[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(first.state, 'base64url').length).toBeGreaterThanOrEqual(32);
    expect(second.state).not.toBe(first.state);
  });

  it('stores the token of the account that logged in and shows the account and its expiry in IST', async () => {
    const page = await vault.login('YA0002', broker);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(html).toContain('YA0002');
    expect(html).toContain(istForPeople(MIDNIGHT_AFTER));
    const body = await readTokenRecord(vault, 'YA0002', 'strategy-a');
    expect(broker.broker.tradingInfo(`Bearer ${body.accessToken}`).status).toBe(200);
    expect(body.expiresAt).toBe(istIso(MIDNIGHT_AFTER));
  });

  it('sends the app credentials form-encoded in Basic auth, and the same redirect_uri as the authorize step', async () => {
    await vault.login('YA0002', broker);
    const exchange = broker.calls.find((call) => call.path === '/oauth2/token')!;
    expect(exchange.form).toMatchObject({ grant_type: 'authorization_code', redirect_uri: broker.options.redirectUrl });
    const basic = Buffer.from(exchange.authorization!.replace('Basic ', ''), 'base64').toString();
    expect(basic).toBe(`${encodeURIComponent(broker.options.appId)}:${encodeURIComponent(broker.options.appSecret)}`);
  });

  describe('state', () => {
    it('refuses a missing state before calling Pocketful', async () => {
      const page = await vault.callback({ code: broker.broker.issueCode('YA0002') });
      expect(page.status).toBe(400);
      expect(pageCode(await page.text())).toBe('state_missing');
      expect(broker.calls).toHaveLength(0);
    });

    it('refuses an unknown state before calling Pocketful', async () => {
      const page = await vault.callback({ code: broker.broker.issueCode('YA0002'), state: 'A'.repeat(43) });
      expect(page.status).toBe(400);
      expect(pageCode(await page.text())).toBe('state_unknown');
      expect(broker.calls).toHaveLength(0);
      expect(await storedToken(vault, 'YA0002')).toBe(404);
    });

    it('accepts a state until its tenth minute and refuses it after, without calling Pocketful', async () => {
      const early = await vault.beginLogin();
      clock.advance(10 * 60_000 - 1000);
      const inTime = await vault.callback({ code: broker.broker.issueCode('YA0002'), state: early.state });
      expect(inTime.status).toBe(200);

      const late = await vault.beginLogin();
      clock.advance(10 * 60_000);
      const page = await vault.callback({ code: broker.broker.issueCode('YA0003'), state: late.state });
      expect(page.status).toBe(400);
      expect(pageCode(await page.text())).toBe('state_unknown');
      expect(broker.exchangedCodes).toHaveLength(1);
      expect(await storedToken(vault, 'YA0003')).toBe(404);
    });

    it('answers a reload of a completed login with the account it stored and until when, calling Pocketful nothing again', async () => {
      const { state } = await vault.beginLogin();
      const code = broker.broker.issueCode('YA0002');
      const first = await vault.callback({ code, state });
      expect(first.status).toBe(200);
      const expires = /<dd id="expires">([^<]+)<\/dd>/.exec(await first.text())?.[1];
      const reload = await vault.callback({ code, state });
      expect(reload.status).toBe(200);
      const page = await reload.text();
      expect(page).toContain('<h1>Login already completed for YA0002</h1>');
      expect(page).toContain('reloading sent nothing to the broker');
      expect(page).toContain(`<dd id="expires">${expires}</dd>`);
      expect(broker.exchangedCodes).toEqual([code]);
      expect(await storedToken(vault, 'YA0002')).toBe(200);
    });

    it('refuses a replayed state from a browser without the login cookie: state_replayed, nothing sent', async () => {
      const { state } = await vault.beginLogin();
      const code = broker.broker.issueCode('YA0002');
      expect((await vault.callback({ code, state })).status).toBe(200);
      const reload = await vault.callback({ code, state }, '');
      expect(reload.status).toBe(409);
      expect(pageCode(await reload.text())).toBe('state_replayed');
      expect(broker.exchangedCodes).toEqual([code]);
    });
  });

  describe('the authorization code', () => {
    it('is never sent to Pocketful twice, even with a second valid state', async () => {
      const code = broker.broker.issueCode('YA0002');
      const first = await vault.beginLogin();
      expect((await vault.callback({ code, state: first.state })).status).toBe(200);
      const before = await readToken(vault, 'YA0002', 'ops');

      const second = await vault.beginLogin();
      const again = await vault.callback({ code, state: second.state });
      expect(again.status).toBe(409);
      expect(pageCode(await again.text())).toBe('code_already_used');
      expect(broker.exchangedCodes).toEqual([code]);
      // Had the code gone out again, Pocketful would have revoked the token it gave.
      expect(broker.broker.tradingInfo(`Bearer ${before}`).status).toBe(200);
    });

    it('is exchanged once when the same callback arrives many times at once', async () => {
      const { state } = await vault.beginLogin();
      const code = broker.broker.issueCode('YA0002');
      const pages = await Promise.all(Array.from({ length: 8 }, () => vault.callback({ code, state })));
      const texts = await Promise.all(pages.map((page) => page.text()));
      // One stored the token; each other either came while it was at Pocketful (409 state_replayed) or after (told so).
      expect(texts.filter((text) => text.includes('<h1>Token stored for YA0002</h1>'))).toHaveLength(1);
      pages.forEach((page, index) => {
        if (page.status === 409) expect(pageCode(texts[index])).toBe('state_replayed');
        else expect([page.status, /<h1>(Token stored|Login already completed) for YA0002<\/h1>/.test(texts[index])]).toEqual([200, true]);
      });
      expect(broker.exchangedCodes).toEqual([code]);
    });

    it('is not retried after a timeout, and the page asks the person to log in again', async () => {
      broker.tokenDelayMs = 1000;
      const { state } = await vault.beginLogin();
      const page = await vault.callback({ code: broker.broker.issueCode('YA0002'), state });
      const html = await page.text();
      expect(page.status).toBe(504);
      expect(pageCode(html)).toBe('broker_timeout');
      expect(html).toContain('href="/pocketful/login"');
      await new Promise((resolve) => setTimeout(resolve, 1200));
      expect(broker.exchangedCodes).toHaveLength(1);
      expect(await storedToken(vault, 'YA0002')).toBe(404);
    });
  });

  describe('broker errors', () => {
    const shapes: Array<[string, FakePocketful['tokenReply'], string, RegExp]> = [
      [
        'an OAuth2 error',
        { status: 400, body: { error: 'invalid_grant', error_description: 'The provided authorization grant is invalid' } },
        'broker_rejected',
        /authorization grant is invalid/,
      ],
      [
        "Pocketful's API error",
        { status: 401, body: { status: 'error', message: 'Request Unauthorised', error_code: 40000, data: {} } },
        'broker_rejected',
        /Request Unauthorised/,
      ],
      ['an HTML error page', { status: 502, text: '<html><body>Bad Gateway</body></html>', contentType: 'text/html' }, 'broker_unavailable', /502/],
      ['an empty 500', { status: 500, text: '' }, 'broker_unavailable', /500/],
      ['a 200 that is not a token', { status: 200, body: { hello: 'world' } }, 'broker_malformed_response', /./],
      ['a 200 that is not JSON', { status: 200, text: 'not json' }, 'broker_malformed_response', /./],
    ];

    it.each(shapes)('turns %s at the token exchange into a clear page and stores nothing', async (_name, reply, code, message) => {
      broker.tokenReply = reply;
      const page = await vault.tryLogin('YA0002', broker);
      const html = await page.text();
      expect(page.status).toBeGreaterThanOrEqual(400);
      expect(page.status).toBeLessThan(600);
      expect(pageCode(html)).toBe(code);
      expect(/id="message">([^<]*)</.exec(html)?.[1]).toMatch(message);
      expect(html).toContain('href="/pocketful/login"');
      expect(await storedToken(vault, 'YA0002')).toBe(404);
    });

    it('stores nothing when trading_info refuses the new token', async () => {
      broker.tradingInfoReply = { status: 401, body: { status: 'error', message: 'Request Unauthorised', error_code: 40000, data: {} } };
      const page = await vault.tryLogin('YA0002', broker);
      expect(pageCode(await page.text())).toBe('token_rejected');
      expect(await storedToken(vault, 'YA0002')).toBe(404);
    });

    it('stores nothing when trading_info names no usable account', async () => {
      broker.tradingInfoReply = { status: 200, body: { data: { client_id: '../../etc' }, status: 'success' } };
      const page = await vault.tryLogin('YA0002', broker);
      expect(pageCode(await page.text())).toBe('broker_malformed_response');
      expect(await json(await vault.fetch('/v1/accounts', { as: 'ops' }))).toEqual({ accounts: [] });
    });

    it('says the login was cancelled on error=access_denied, without calling Pocketful', async () => {
      const { state } = await vault.beginLogin();
      const page = await vault.callback({ error: 'access_denied', error_description: 'The resource owner denied the request', state });
      const html = await page.text();
      expect(pageCode(html)).toBe('login_cancelled');
      expect(html).toMatch(/cancelled/);
      expect(broker.calls).toHaveLength(0);
    });

    it('shows another error from Pocketful as text, never as markup', async () => {
      const { state } = await vault.beginLogin();
      const page = await vault.callback({ error: 'server_error', error_description: '<script>alert(1)</script>', state });
      const html = await page.text();
      expect(pageCode(html)).toBe('login_refused');
      expect(html).not.toContain('<script>alert(1)</script>');
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    });
  });

  it('refuses a login or an import for an account outside ALLOWED_CLIENT_IDS and stores nothing', async () => {
    const restricted = await TestVault.start({ broker, clock, env: { ALLOWED_CLIENT_IDS: 'YA0003' } });
    try {
      const page = await restricted.tryLogin('YA0002', broker);
      expect(page.status).toBe(403);
      expect(pageCode(await page.text())).toBe('account_not_allowed');
      expect(await storedToken(restricted, 'YA0002')).toBe(404);
      expect((await restricted.login('YA0003', broker)).status).toBe(200);
      // A token pasted from the dashboard is held to the same list.
      const pasted = await importToken(restricted, broker.broker.mintToken('YA0002'));
      expect(pasted.status).toBe(403);
      expect((await json(pasted)).error).toBe('account_not_allowed');
      expect(await storedToken(restricted, 'YA0002')).toBe(404);
    } finally {
      await restricted.close();
    }
  });
});

describe('login with two replicas on one Redis', () => {
  let cluster: VaultFixture;
  let broker: FakePocketful;
  let replicas: TestVault[];

  beforeAll(async () => {
    cluster = await VaultFixture.start({ replicas: 2 });
    ({ broker, replicas } = cluster);
  });

  afterAll(() => cluster?.close());

  it('completes on one replica a login begun on the other, and both serve the token', async () => {
    const [a, b] = replicas;
    const { state } = await a.beginLogin();
    const page = await b.callback({ code: broker.broker.issueCode('YA0002'), state });
    expect(page.status).toBe(200);
    expect(await readToken(a, 'YA0002', 'ops')).toBe(await readToken(b, 'YA0002', 'ops'));
  });

  it('exchanges a code once when both replicas receive the callback at the same moment', async () => {
    const [a, b] = replicas;
    const { state } = await a.beginLogin();
    const code = broker.broker.issueCode('YA0003');
    const before = broker.exchangedCodes.length;
    // Held at Pocketful, so that the others come while the first is there, not after it stored the token (then a
    // reload from the same browser rightly hears "already completed").
    broker.tokenDelayMs = 1000;
    try {
      const pages = await Promise.all([a.callback({ code, state }), b.callback({ code, state }), a.callback({ code, state })]);
      expect(pages.map((page) => page.status).sort()).toEqual([200, 409, 409]);
    } finally {
      broker.tokenDelayMs = 0;
    }
    expect(broker.exchangedCodes.slice(before)).toEqual([code]);
  });
});
