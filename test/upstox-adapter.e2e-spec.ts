import { HttpService } from '@nestjs/axios';
import axios from 'axios';
import { UpstoxSandboxOptions } from '../src/brokers/upstox/upstox-sandbox';
import { UpstoxAdapter } from '../src/brokers/upstox/upstox.adapter';
import { UpstoxSettings } from '../src/brokers/upstox/upstox.settings';
import { brokerContract, contractSubject, failureOf } from './support/broker-contract';
import { FakeUpstox } from './support/fake-upstox';
import { IstDay } from './support/test-time';
import { specBrokerMetrics } from './support/spec-broker-metrics';

const TIMEOUT_MS = 400;
const STATE = 'state-0123456789abcdef';

/** A JWT's claims, read here by hand rather than with the vault's own reader. */
function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8')) as Record<string, unknown>;
}

/** A token shaped as Upstox's, with only the `exp` a test needs. */
function jwtWithExp(exp: Date): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: 'AB1234', exp: exp.getTime() / 1000 })}.c2lnbmF0dXJl`;
}


describe('UpstoxAdapter', () => {
  let fake: FakeUpstox;
  let sut: UpstoxAdapter;
  const http = new HttpService(axios.create());

  const metrics = specBrokerMetrics();

  const adapterFor = (broker: FakeUpstox, overrides: Partial<UpstoxSettings> = {}) =>
    new UpstoxAdapter(
      http,
      new UpstoxSettings({
        apiKey: broker.options.apiKey,
        apiSecret: broker.options.apiSecret,
        redirectUrl: broker.options.redirectUrl,
        baseUrl: broker.url,
        timeoutMs: TIMEOUT_MS,
        ...overrides,
      }),
      metrics(),
    );

  async function startFake(options: Partial<UpstoxSandboxOptions> = {}): Promise<void> {
    await fake?.stop();
    fake = await new FakeUpstox(options).start();
    sut = adapterFor(fake);
  }

  /** A code for `account`, by way of the login page and the callback, as the vault will get one. */
  function codeFor(account = 'AB1234', adapter = sut): string {
    const outcome = adapter.readCallback(Object.fromEntries(fake.approve(new URL(adapter.loginStart(STATE).url), account).searchParams));
    if (outcome.kind !== 'code') throw new Error(`the login was refused: ${outcome.reason}`);
    return outcome.code;
  }

  beforeEach(async () => {
    fake = await new FakeUpstox().start();
    sut = adapterFor(fake);
  });

  afterEach(async () => {
    await fake.stop();
  });

  brokerContract(() =>
    contractSubject(fake, { adapter: sut, timeoutMs: TIMEOUT_MS, redirectUrl: fake.options.redirectUrl, secrets: [fake.options.apiSecret] }),
  );

  describe('the login page', () => {
    it("is Upstox's authorization dialog with response_type, client_id, redirect_uri and state, and nothing else", () => {
      const { url, verifier } = sut.loginStart('st&te=with/odd+chars');
      const expected =
        `${fake.url}/v2/login/authorization/dialog?response_type=code&client_id=615b1297-d443-3b39-ba19-1927fbcdddc7` +
        '&redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Fupstox%2Fcallback&state=st%26te%3Dwith%2Fodd%2Bchars';
      expect(url).toBe(expected);
      expect(verifier).toBeUndefined();
    });

    it('is on api.upstox.com unless the base URL says otherwise, and a trailing slash of the base is dropped', () => {
      const settings = { apiKey: 'key', apiSecret: 'secret', redirectUrl: 'http://127.0.0.1:5000/upstox/callback' };
      const real = new UpstoxAdapter(http, new UpstoxSettings(settings), metrics());
      expect(real.loginStart(STATE).url.startsWith('https://api.upstox.com/v2/login/authorization/dialog?')).toBe(true);
      const elsewhere = new UpstoxAdapter(http, new UpstoxSettings({ ...settings, baseUrl: 'http://upstox.test/' }), metrics());
      expect(elsewhere.loginStart(STATE).url.startsWith('http://upstox.test/v2/login/authorization/dialog?')).toBe(true);
    });

    it('comes back with the state as sent, odd characters and all', () => {
      const state = ' st&te=with/odd+chars ';
      const back = fake.approve(new URL(sut.loginStart(state).url), 'AB1234');
      expect(back.searchParams.get('state')).toBe(state);
      expect(sut.readCallback(Object.fromEntries(back.searchParams))).toEqual({ kind: 'code', code: expect.any(String) });
    });
  });

  describe('the callback', () => {
    it('reads the code by its name, with a state beside it or none', () => {
      expect(sut.readCallback({ code: 'mk404x', state: 'XX56849' })).toEqual({ kind: 'code', code: 'mk404x' });
      expect(sut.readCallback({ code: 'mk404x' })).toEqual({ kind: 'code', code: 'mk404x' });
    });

    it('reads a cancelled login (an error and no code) as refused, naming the error', () => {
      const back = fake.deny(new URL(sut.loginStart('state-of-a-cancelled-login').url));
      expect(back.searchParams.has('code')).toBe(false);
      expect(sut.readCallback(Object.fromEntries(back.searchParams))).toEqual({
        kind: 'refused',
        reason: 'Upstox did not log you in (access_denied).',
        error: 'access_denied',
      });
    });

    it('refuses a way back with no code, or with an error beside a code, and never shows what the broker wrote', () => {
      expect(sut.readCallback({ state: STATE })).toEqual({ kind: 'refused', reason: expect.any(String) });
      expect(sut.readCallback({ code: 'mk404x', error: 'access_denied', state: STATE }).kind).toBe('refused');
      const odd = sut.readCallback({ error: '<script>alert(1)</script>', error_description: 'mk404x leaked', state: STATE });
      expect(odd).toEqual({ kind: 'refused', reason: expect.any(String) });
      if (odd.kind === 'refused') expect(odd.reason).not.toMatch(/script|mk404x/);
    });
  });

  describe('the exchange', () => {
    it('posts the code, client_id, client_secret, redirect_uri and grant_type as a form, asking for JSON, once', async () => {
      const code = codeFor();
      await sut.exchange(code, {});
      const calls = fake.callsTo('/v2/login/authorization/token');
      expect(calls).toHaveLength(1);
      const [call] = calls;
      expect(call.method).toBe('POST');
      expect(call.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(call.headers.accept).toBe('application/json');
      expect(call.headers.authorization).toBeUndefined();
      expect(call.form).toEqual({
        code,
        client_id: '615b1297-d443-3b39-ba19-1927fbcdddc7',
        client_secret: 'upstox-secret+with/odd=chars&more',
        redirect_uri: 'http://127.0.0.1:5000/upstox/callback',
        grant_type: 'authorization_code',
      });
    });

    it("names the answer's user_id as the account, and the token's own exp (03:30 IST) as its latest end", async () => {
      const grant = await sut.exchange(codeFor('7BAB12'), {});
      const [call] = fake.callsTo('/v2/login/authorization/token');
      const answer = (call.reply as { body: { access_token: string; user_id: string } }).body;
      expect(grant.accessToken).toBe(answer.access_token);
      expect(grant.account).toBe('7BAB12');
      const exp = claimsOf(grant.accessToken).exp as number;
      expect(grant.notAfter).toEqual(new Date(exp * 1000));
      const istTime = new Date(exp * 1000 + 330 * 60_000).toISOString().slice(11, 19);
      expect(istTime).toBe('03:30:00');
    });

    it('keeps the access token and never the read-only extended token, even when only the extended one comes', async () => {
      await startFake({ extendedTokens: true });
      const grant = await sut.exchange(codeFor(), {});
      const [call] = fake.callsTo('/v2/login/authorization/token');
      const answer = (call.reply as { body: { access_token: string; extended_token: string } }).body;
      expect(answer.extended_token).toEqual(expect.any(String));
      expect(grant.accessToken).toBe(answer.access_token);
      expect(JSON.stringify(grant)).not.toContain(answer.extended_token);

      fake.replyNext({ status: 200, body: { ...answer, access_token: null } });
      const error = await failureOf(sut.exchange(codeFor(), {}));
      expect(error.failure).toBe('malformed');
      expect(JSON.stringify(error)).not.toContain(answer.extended_token);
    });

    it('reads a code Upstox does not know as rejected, with its UDAPI code', async () => {
      const error = await failureOf(sut.exchange('mk404x', {}));
      expect(error).toMatchObject({ failure: 'rejected', brokerCode: 'UDAPI100057', brokerStatus: 400 });
      expect(error.message).toContain('Invalid Auth code');
    });

    it('reads a wrong app secret as rejected, and the code is spent by it', async () => {
      const code = codeFor();
      const wrong = adapterFor(fake, { apiSecret: 'not-the-secret' });
      expect(await failureOf(wrong.exchange(code, {}))).toMatchObject({ failure: 'rejected', brokerCode: 'UDAPI100069' });
      expect(await failureOf(sut.exchange(code, {}))).toMatchObject({ failure: 'rejected', brokerCode: 'UDAPI100057' });
    });

    it('reads an error inside HTTP 200 as rejected', async () => {
      fake.replyNext({ status: 200, body: { status: 'error', errors: [{ errorCode: 'UDAPI100057', message: 'Invalid Auth code' }] } });
      expect(await failureOf(sut.exchange(codeFor(), {}))).toMatchObject({ failure: 'rejected', brokerCode: 'UDAPI100057' });
    });

    it('reads a 5xx, an HTML error page and a late answer as saying nothing, and never asks twice', async () => {
      fake.failNext(503);
      expect(await failureOf(sut.exchange(codeFor(), {}))).toMatchObject({ failure: 'unavailable', brokerCode: 'UDAPI100500' });
      fake.replyNext({ status: 502, text: '<html><body>502 Bad Gateway</body></html>' });
      expect((await failureOf(sut.exchange(codeFor(), {}))).failure).toBe('unavailable');
      fake.delayNext(TIMEOUT_MS * 3);
      expect((await failureOf(sut.exchange(codeFor(), {}))).failure).toBe('timeout');
      fake.replyNext({ status: 200, text: 'not json' });
      expect((await failureOf(sut.exchange(codeFor(), {}))).failure).toBe('malformed');
      expect(fake.callsTo('/v2/login/authorization/token')).toHaveLength(4);
    });

    it('keeps the code and the secret out of the error when Upstox echoes the form as it was sent', async () => {
      const code = codeFor();
      const raw = new URLSearchParams({ code, client_secret: fake.options.apiSecret }).toString();
      fake.replyNext({ status: 400, body: { status: 'error', errors: [{ errorCode: 'UDAPI100038', message: `Invalid input passed to the API: ${raw}` }] } });
      const error = await failureOf(sut.exchange(code, {}));
      const said = `${error.message} ${JSON.stringify(error)}`;
      expect(said).toContain('UDAPI100038');
      for (const secret of [code, fake.options.apiSecret, encodeURIComponent(fake.options.apiSecret)]) expect(said).not.toContain(secret);
    });
  });

  describe('whoami', () => {
    it("asks Upstox's profile with the token as a Bearer, asking for JSON, and reads data.user_id", async () => {
      const token = fake.sandbox.mintToken('7BAB12');
      expect(await sut.whoami(token)).toEqual({ account: '7BAB12' });
      const [call] = fake.callsTo('/v2/user/profile');
      expect(call.method).toBe('GET');
      expect(call.headers.authorization).toBe(`Bearer ${token}`);
      expect(call.headers.accept).toBe('application/json');
    });

    it('reads 401 UDAPI100050 (a token logged out or past its end) as unauthorized', async () => {
      const token = fake.sandbox.mintToken('AB1234');
      const logout = await fetch(`${fake.url}/v2/logout`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } });
      expect(logout.status).toBe(200);
      const error = await failureOf(sut.whoami(token));
      expect(error).toMatchObject({ failure: 'unauthorized', brokerCode: 'UDAPI100050', brokerStatus: 401 });
    });

    it('reads a rate limit, an answer without a user id and an error inside HTTP 200 as saying nothing of the token', async () => {
      const token = fake.sandbox.mintToken('AB1234');
      fake.failNext(429);
      expect((await failureOf(sut.whoami(token))).failure).toBe('rejected');
      fake.replyNext({ status: 200, body: { status: 'success', data: { email: 'x@example.invalid' } } });
      expect((await failureOf(sut.whoami(token))).failure).toBe('malformed');
      fake.replyNext({ status: 200, body: { status: 'error', errors: [{ errorCode: 'UDAPI100500', message: 'Something went wrong' }] } });
      expect((await failureOf(sut.whoami(token))).failure).toBe('malformed');
    });
  });

  describe('expiry', () => {
    const today = IstDay.of(new Date());

    it('ends a token issued at 03:29:59 IST at 03:30:00 the same day, and one issued at 03:30:00 at 03:30 the next', () => {
      expect(sut.expiresAt({}, today.at('03:29:59'))).toEqual(today.at('03:30:00'));
      expect(sut.expiresAt({}, today.at('03:30:00'))).toEqual(today.plus(1).at('03:30:00'));
      expect(sut.expiresAt({}, today.at('20:00:00'))).toEqual(today.plus(1).at('03:30:00'));
    });

    it('ends a token at its JWT exp when that comes before the cut-off, and at the cut-off when the exp is later', async () => {
      const answer = (exp: Date) => ({ status: 200, body: { user_id: 'AB1234', broker: 'UPSTOX', access_token: jwtWithExp(exp), extended_token: null } });
      fake.replyNext(answer(today.at('23:00:00')));
      const early = await sut.exchange(codeFor(), {});
      expect(sut.expiresAt(early, today.at('20:00:00'))).toEqual(today.at('23:00:00'));
      fake.replyNext(answer(today.at('03:29:59')));
      const justBefore = await sut.exchange(codeFor(), {});
      expect(sut.expiresAt(justBefore, today.at('03:00:00'))).toEqual(today.at('03:29:59'));
      fake.replyNext(answer(today.plus(2).at('03:30:00')));
      const late = await sut.exchange(codeFor(), {});
      expect(sut.expiresAt(late, today.at('20:00:00'))).toEqual(today.plus(1).at('03:30:00'));
    });
  });
});
