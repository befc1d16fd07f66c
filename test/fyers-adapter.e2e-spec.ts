import { createHash } from 'node:crypto';
import { HttpService } from '@nestjs/axios';
import axios from 'axios';
import { FyersAdapter, fyersAppIdHash } from '../src/brokers/fyers/fyers.adapter';
import { FYERS_BASE_URL, FyersSettings } from '../src/brokers/fyers/fyers.settings';
import { DailyCutoff } from '../src/clock/daily-cutoff';
import { brokerContract, contractSubject, failureOf } from './support/broker-contract';
import { FakeFyers } from './support/fake-fyers';
import { specBrokerMetrics } from './support/spec-broker-metrics';

/** Generous for a local port on a busy machine, short enough that the timeout tests stay quick. */
const TIMEOUT_MS = 1000;

/** The appIdHash as Fyers' docs define it, computed here apart from the adapter's own code. */
const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** A JWT-shaped token with these claims (Fyers' access tokens are JWTs; the vault checks no signature). */
const jwt = (claims: Record<string, unknown>) =>
  `${Buffer.from('{"typ":"JWT","alg":"HS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2lnbmF0dXJl`;


describe('FyersAdapter', () => {
  let fake: FakeFyers;
  let adapter: FyersAdapter;

  const metrics = specBrokerMetrics();

  const adapterFor = (overrides: Partial<ConstructorParameters<typeof FyersSettings>[0]> = {}) =>
    new FyersAdapter(
      new HttpService(axios.create()),
      new FyersSettings({ ...fake.options, baseUrl: fake.url, timeoutMs: TIMEOUT_MS, ...overrides }),
      metrics(),
    );

  beforeEach(async () => {
    fake = await new FakeFyers().start();
    adapter = adapterFor();
  });

  afterEach(() => fake?.stop());

  /** A whole login as `account`: the code from the way back, and the grant it was exchanged for. */
  async function login(account = 'XY01234', state = 'state-0123456789abcdef') {
    const start = adapter.loginStart(state);
    const outcome = adapter.readCallback(Object.fromEntries(fake.approve(new URL(start.url), account).searchParams));
    if (outcome.kind !== 'code') throw new Error(`refused: ${outcome.reason}`);
    const grant = await adapter.exchange(outcome.code, start);
    return { start, code: outcome.code, grant };
  }

  brokerContract(() =>
    contractSubject(fake, {
      adapter,
      timeoutMs: TIMEOUT_MS,
      redirectUrl: fake.options.redirectUrl,
      secrets: [fake.options.appSecret, sha256Hex(`${fake.options.appId}:${fake.options.appSecret}`)],
    }),
  );

  describe('the login page', () => {
    it('is generate-authcode with the app id, the redirect URL, response_type=code and the state, in that order', () => {
      const start = adapter.loginStart('state-0123456789abcdef');
      expect(start.url).toBe(
        `${fake.url}/api/v3/generate-authcode?client_id=TESTAPP0X1-100` +
          '&redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Ffyers%2Fcallback&response_type=code&state=state-0123456789abcdef',
      );
      expect(start.verifier).toBeUndefined();
    });

    it("is on Fyers' own API host unless told otherwise, whatever slash ends the base URL given", () => {
      const { appId, appSecret, redirectUrl } = fake.options;
      expect(new FyersSettings({ appId, appSecret, redirectUrl }).baseUrl).toBe('https://api-t1.fyers.in');
      expect(FYERS_BASE_URL).toBe('https://api-t1.fyers.in');
      const elsewhere = adapterFor({ baseUrl: 'http://127.0.0.1:9/fyers/' });
      expect(elsewhere.loginStart('state-0123456789abcdef').url.startsWith('http://127.0.0.1:9/fyers/api/v3/generate-authcode?')).toBe(true);
    });
  });

  describe('the way back', () => {
    it('takes the authorization code from auth_code, never from code (a status number)', () => {
      expect(adapter.readCallback({ s: 'ok', code: '200', auth_code: 'eyJ.auth.code', state: 'state-abc' })).toEqual({
        kind: 'code',
        code: 'eyJ.auth.code',
      });
    });

    it.each([
      ['s=error', { s: 'error', code: '-1', message: 'Login cancelled', state: 'state-abc' }],
      ['s=ok without an auth_code', { s: 'ok', code: '200', state: 'state-abc' }],
      ['an auth_code without s', { code: '200', auth_code: 'eyJ.auth.code', state: 'state-abc' }],
      ['s=error with an auth_code', { s: 'error', code: '-1', auth_code: 'eyJ.auth.code', state: 'state-abc' }],
    ])('is refused on %s', (_, query) => {
      expect(adapter.readCallback(query)).toEqual({ kind: 'refused', reason: expect.any(String) });
    });

    it("gives a reason with Fyers' status code and nothing else it sent", () => {
      const outcome = adapter.readCallback({ s: 'error', code: '-1', message: '<b>hello</b>', auth_code: 'eyJ.auth.code' });
      expect(outcome).toEqual({ kind: 'refused', reason: 'Fyers did not complete the login (code -1)' });
      const odd = adapter.readCallback({ s: 'error', code: '<script>', state: '' });
      expect(odd).toEqual({ kind: 'refused', reason: 'Fyers did not complete the login' });
    });
  });

  describe('the exchange', () => {
    it('posts JSON with grant_type, the code and the SHA-256 hex of "app_id:app_secret" as appIdHash, and no secret', async () => {
      const { code } = await login();
      const [call] = fake.calls.filter((recorded) => recorded.path === '/api/v3/validate-authcode');
      const { appId, appSecret } = fake.options;
      expect(call).toMatchObject({ method: 'POST', contentType: 'application/json', authorization: undefined });
      expect(call.json).toEqual({ grant_type: 'authorization_code', appIdHash: sha256Hex(`${appId}:${appSecret}`), code });
      expect(call.raw).not.toContain(appSecret);
    });

    it('derives appIdHash as Fyers does, from the app id with its -100 and the secret joined by a colon', () => {
      // sha256sum of the bytes `XC4EOD67IM-100:S3CR3T`, computed outside Node.
      expect(fyersAppIdHash('XC4EOD67IM-100', 'S3CR3T')).toBe('1874f5447848823381cad40d80397c8c8696b14e898510213efa8fc1705148f8');
    });

    it("keeps the access token, with its JWT exp as the latest it may live, and never the refresh token", async () => {
      const accessToken = jwt({ sub: 'access_token', fy_id: 'XY01234', exp: 1_900_000_000 });
      const refreshToken = jwt({ sub: 'refresh_token', fy_id: 'XY01234', exp: 1_901_000_000 });
      const code = fake.sandbox.issueCode('XY01234');
      fake.replyNext({ status: 200, body: { s: 'ok', code: 200, message: '', access_token: accessToken, refresh_token: refreshToken } });
      const grant = await adapter.exchange(code, {});
      expect(grant).toEqual({ accessToken, tokenType: 'bearer', scope: '', notAfter: new Date(1_900_000_000_000) });
      expect(JSON.stringify(grant)).not.toContain(refreshToken.split('.')[1]);
    });

    it('is refused as rejected with Fyers\' code when the app secret is wrong (-371)', async () => {
      const wrong = adapterFor({ appSecret: 'not-the-secret' });
      const error = await failureOf(wrong.exchange(fake.sandbox.issueCode('XY01234'), {}));
      expect(error).toMatchObject({ failure: 'rejected', brokerCode: '-371', brokerStatus: 400 });
    });

    it('is refused as rejected for a used code, an unknown one and an empty one', async () => {
      const { code } = await login();
      expect(await failureOf(adapter.exchange(code, {}))).toMatchObject({ failure: 'rejected', brokerCode: '-413', brokerStatus: 400 });
      expect(await failureOf(adapter.exchange(jwt({ sub: 'auth_code' }), {}))).toMatchObject({ failure: 'rejected', brokerCode: '-413' });
      expect(await failureOf(adapter.exchange('', {}))).toMatchObject({ failure: 'rejected', brokerCode: '-374' });
    });

    it.each([
      ['s:"error" inside HTTP 200', 'rejected', { status: 200, body: { s: 'error', code: -413, message: 'Invalid auth code' } }],
      ['s:"ok" without an access token', 'malformed', { status: 200, body: { s: 'ok', code: 200, message: '' } }],
      ['an access token without s:"ok"', 'malformed', { status: 200, body: { access_token: 'eyJ.a.b' } }],
      ['an HTML page with HTTP 200', 'malformed', { status: 200, text: '<html>maintenance</html>', contentType: 'text/html' }],
      ['HTTP 502 from a proxy', 'unavailable', { status: 502, text: 'Bad Gateway' }],
      ['HTTP 401 with a Fyers error', 'rejected', { status: 401, body: { s: 'error', code: -16, message: 'Could not authenticate the user' } }],
    ] as const)('reads %s as %s', async (_, failure, reply) => {
      fake.replyNext(reply);
      expect((await failureOf(adapter.exchange(fake.sandbox.issueCode('XY01234'), {}))).failure).toBe(failure);
    });

    it('gives up at the deadline and says timeout', async () => {
      fake.delayNext(TIMEOUT_MS * 3);
      expect((await failureOf(adapter.exchange(fake.sandbox.issueCode('XY01234'), {}))).failure).toBe('timeout');
    });
  });

  describe('whoami', () => {
    it('asks the profile with "Authorization: app_id:access_token" and keeps only fy_id', async () => {
      const { grant } = await login('XY01234');
      expect(await adapter.whoami(grant.accessToken)).toEqual({ account: 'XY01234' });
      const call = fake.calls.find((recorded) => recorded.path === '/api/v3/profile');
      expect(call).toMatchObject({ method: 'GET', authorization: `TESTAPP0X1-100:${grant.accessToken}` });
    });

    it.each(['-8', '-15', '-16', '-17'])("reads Fyers' token code %s as unauthorized, inside HTTP 200 or with HTTP 400", async (code) => {
      const { grant } = await login();
      const body = { s: 'error', code: Number(code), message: 'Could not authenticate the user' };
      fake.replyNext({ status: 200, body });
      expect(await failureOf(adapter.whoami(grant.accessToken))).toMatchObject({ failure: 'unauthorized', brokerCode: code, brokerStatus: 200 });
      fake.replyNext({ status: 400, body });
      expect(await failureOf(adapter.whoami(grant.accessToken))).toMatchObject({ failure: 'unauthorized', brokerCode: code, brokerStatus: 400 });
    });

    it('says nothing of the token on an error that is not about it, a 5xx with a token code, or an answer it cannot read', async () => {
      const { grant } = await login();
      fake.replyNext({ status: 200, body: { s: 'error', code: -353, message: 'API Limit exceeded' } });
      expect((await failureOf(adapter.whoami(grant.accessToken))).failure).toBe('unavailable');
      fake.replyNext({ status: 503, body: { s: 'error', code: -16, message: 'Could not authenticate the user' } });
      expect((await failureOf(adapter.whoami(grant.accessToken))).failure).toBe('unavailable');
      fake.replyNext({ status: 400, body: { s: 'error', code: -50, message: 'Please provide valid inputs' } });
      expect((await failureOf(adapter.whoami(grant.accessToken))).failure).toBe('rejected');
      fake.replyNext({ status: 200, body: { s: 'ok', code: 200, data: { name: 'no id' } } });
      expect((await failureOf(adapter.whoami(grant.accessToken))).failure).toBe('malformed');
      expect(await adapter.whoami(grant.accessToken)).toEqual({ account: 'XY01234' });
    });

    it('is unauthorized for a token Fyers logged out', async () => {
      const { grant } = await login();
      const logout = await fetch(`${fake.url}/api/v3/logout`, { method: 'POST', headers: { Authorization: `TESTAPP0X1-100:${grant.accessToken}` } });
      expect(logout.status).toBe(200);
      expect(await failureOf(adapter.whoami(grant.accessToken))).toMatchObject({ failure: 'unauthorized', brokerCode: '-16', brokerStatus: 401 });
    });

    it("keeps the token and the Authorization value out of an error Fyers writes them into, inside HTTP 200", async () => {
      const { grant } = await login();
      const authorization = `TESTAPP0X1-100:${grant.accessToken}`;
      const message = `Could not authenticate ${authorization} (${Buffer.from(authorization).toString('base64')})`;
      fake.replyNext({ status: 200, body: { s: 'error', code: -16, message } });
      const error = await failureOf(adapter.whoami(grant.accessToken));
      const said = `${error.message} ${JSON.stringify(error)}`;
      expect(said).toContain('Could not authenticate [redacted]');
      for (const secret of [grant.accessToken, Buffer.from(authorization).toString('base64')]) expect(said).not.toContain(secret);
    });
  });

  describe('expiry', () => {
    const at = (ist: string) => new Date(`${ist}+05:30`);

    it('ends a token at 06:00 IST: issued at 05:59:59 it ends a second later, issued at 06:00:00 the next morning', () => {
      expect(adapter.cutoff.toString()).toBe('06:00');
      expect(adapter.expiresAt({}, at('2026-03-10T05:59:59'))).toEqual(at('2026-03-10T06:00:00'));
      expect(adapter.expiresAt({}, at('2026-03-10T06:00:00'))).toEqual(at('2026-03-11T06:00:00'));
      expect(adapter.expiresAt({}, at('2026-12-31T23:59:59'))).toEqual(at('2027-01-01T06:00:00'));
    });

    it("ends it at the JWT's exp when that comes before the cut-off, and at the cut-off when exp is after it", async () => {
      const earlier = jwt({ sub: 'access_token', exp: at('2026-03-10T20:00:00').getTime() / 1000 });
      const later = jwt({ sub: 'access_token', exp: at('2026-03-11T06:00:35').getTime() / 1000 });
      const grants = [];
      for (const accessToken of [earlier, later]) {
        fake.replyNext({ status: 200, body: { s: 'ok', code: 200, message: '', access_token: accessToken, refresh_token: 'r' } });
        grants.push(await adapter.exchange(fake.sandbox.issueCode('XY01234'), {}));
      }
      expect(adapter.expiresAt(grants[0], at('2026-03-10T09:15:00'))).toEqual(at('2026-03-10T20:00:00'));
      expect(adapter.expiresAt(grants[1], at('2026-03-10T09:15:00'))).toEqual(at('2026-03-11T06:00:00'));
    });

    it('takes its cut-off from the settings', () => {
      const early = adapterFor({ cutoff: DailyCutoff.parse('03:30') });
      expect(early.expiresAt({}, at('2026-03-10T03:29:59'))).toEqual(at('2026-03-10T03:30:00'));
      expect(early.expiresAt({}, at('2026-03-10T03:30:00'))).toEqual(at('2026-03-11T03:30:00'));
    });
  });
});
