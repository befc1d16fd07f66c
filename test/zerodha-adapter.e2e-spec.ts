import { HttpService } from '@nestjs/axios';
import axios from 'axios';
import { createHash } from 'node:crypto';
import { ZerodhaAdapter } from '../src/brokers/zerodha/zerodha.adapter';
import { ZerodhaSettings, ZerodhaSettingsValues } from '../src/brokers/zerodha/zerodha.settings';
import { brokerContract, contractSubject, failureOf } from './support/broker-contract';
import { FakeReply } from './support/fake-broker-server';
import { FakeZerodha } from './support/fake-zerodha';
import { specBrokerMetrics } from './support/spec-broker-metrics';

const TIMEOUT_MS = 500;

const query = (url: URL) => Object.fromEntries(url.searchParams) as Record<string, string>;


const jwt = (claims: unknown) =>
  `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;

describe('ZerodhaAdapter', () => {
  let fake: FakeZerodha;
  let sut: ZerodhaAdapter;

  const metrics = specBrokerMetrics();

  const adapterFor = (overrides: Partial<ZerodhaSettingsValues> = {}) =>
    new ZerodhaAdapter(
      new HttpService(axios.create()),
      new ZerodhaSettings({
        apiKey: fake.options.apiKey,
        apiSecret: fake.options.apiSecret,
        redirectUrl: fake.options.redirectUrl,
        loginUrl: fake.url,
        apiUrl: fake.url,
        timeoutMs: TIMEOUT_MS,
        ...overrides,
      }),
      metrics(),
    );

  /** A person logs in as `account` through Kite: the request token the callback carries. */
  const requestTokenFor = (account = 'AB1234') => {
    const outcome = sut.readCallback(query(fake.login(new URL(sut.loginStart('state-0123456789').url), account)));
    if (outcome.kind !== 'code') throw new Error(`the login was refused: ${outcome.reason}`);
    return outcome.code;
  };

  const callsTo = (method: string, path: string) => fake.calls.filter((call) => call.method === method && call.path === path);

  beforeEach(async () => {
    fake = await new FakeZerodha().start();
    sut = adapterFor();
  });

  afterEach(() => fake?.stop());

  brokerContract(() =>
    contractSubject(fake, { adapter: sut, timeoutMs: TIMEOUT_MS, redirectUrl: fake.options.redirectUrl, secrets: [fake.options.apiSecret] }),
  );

  describe('the login page', () => {
    it("is Kite's /connect/login with api_key, v=3 and the state inside redirect_params, and nothing else", () => {
      const adapter = adapterFor({ loginUrl: 'https://kite.example.test/' });
      const start = adapter.loginStart('st&te=with+odd%chars');
      expect(start).toEqual({
        url: 'https://kite.example.test/connect/login?api_key=kitekey0123abcd&v=3&redirect_params=state%3Dst%2526te%253Dwith%252Bodd%2525chars',
      });
      expect(query(new URL(start.url))).toEqual({ api_key: 'kitekey0123abcd', v: '3', redirect_params: 'state=st%26te%3Dwith%2Bodd%25chars' });
    });

    it('gets a state holding &, = and + back from Kite unchanged, beside the request token', () => {
      const back = fake.login(new URL(sut.loginStart('st&te=with+odd%chars').url), 'AB1234');
      expect(back.searchParams.getAll('state')).toEqual(['st&te=with+odd%chars']);
      expect(sut.readCallback(query(back))).toEqual({ kind: 'code', code: back.searchParams.get('request_token') });
    });
  });

  describe('the callback', () => {
    it("reads Kite's names: request_token on status=success", () => {
      const outcome = sut.readCallback({ request_token: 'rt0123456789', action: 'login', type: 'login', status: 'success', state: 'abc' });
      expect(outcome).toEqual({ kind: 'code', code: 'rt0123456789' });
    });

    it.each([
      ['a status other than success', { request_token: 'rt0123456789', action: 'login', type: 'login', status: 'cancelled', state: 'abc' }],
      ['no status', { request_token: 'rt0123456789', action: 'login', type: 'login', state: 'abc' }],
      ['no request token', { action: 'login', type: 'login', status: 'success', state: 'abc' }],
      ['an empty request token', { request_token: '', action: 'login', type: 'login', status: 'success', state: 'abc' }],
    ])('reads %s as refused, with no token in the reason', (_, callback) => {
      const outcome = sut.readCallback(callback);
      expect(outcome).toEqual({ kind: 'refused', reason: expect.any(String) });
      if (outcome.kind === 'refused') expect(outcome.reason).not.toContain('rt0123456789');
    });

    it('reads a request token with no state beside it as the code', () => {
      expect(sut.readCallback({ request_token: 'rt0123456789', status: 'success' })).toEqual({ kind: 'code', code: 'rt0123456789' });
    });
  });

  describe('the exchange', () => {
    it('posts api_key, request_token and the checksum as a form to the API host, with X-Kite-Version: 3 and no Authorization', async () => {
      const requestToken = requestTokenFor('CD5678');
      const grant = await sut.exchange(requestToken);
      const [call] = callsTo('POST', '/session/token');
      expect(call.headers['x-kite-version']).toBe('3');
      expect(call.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(call.headers.authorization).toBeUndefined();
      const checksum = createHash('sha256').update(`kitekey0123abcd${requestToken}kite-secret+with:odd%chars/0123456789`).digest('hex');
      expect(call.form).toEqual({ api_key: 'kitekey0123abcd', request_token: requestToken, checksum });
      expect(grant).toEqual({ accessToken: expect.stringMatching(/^[A-Za-z0-9]{32}$/), tokenType: 'token', scope: '', account: 'CD5678', notAfter: undefined });
    });

    it('goes to the API URL, not the login page', async () => {
      sut = adapterFor({ loginUrl: 'http://127.0.0.1:9/kite' });
      const requestToken = fake.sandbox.issueRequestToken('AB1234');
      expect((await sut.exchange(requestToken)).account).toBe('AB1234');
    });

    it('is refused as rejected, with TokenException, when the checksum was made with another secret', async () => {
      sut = adapterFor({ apiSecret: 'not-the-secret' });
      const error = await failureOf(sut.exchange(requestTokenFor()));
      expect(error).toMatchObject({ failure: 'rejected', brokerCode: 'TokenException', brokerStatus: 403 });
      expect(error.message).toContain('Invalid `checksum`');
    });

    it.each<[string, string, FakeReply]>([
      ['InputException (400)', 'rejected', { status: 400, body: { status: 'error', message: 'Missing `checksum`.', data: null, error_type: 'InputException' } }],
      ['NetworkException (503)', 'unavailable', { status: 503, body: { status: 'error', message: 'Try again', data: null, error_type: 'NetworkException' } }],
      ["a proxy's HTML page (502)", 'unavailable', { status: 502, text: '<html>Bad Gateway</html>', contentType: 'text/html' }],
      ['success without an access token', 'malformed', { status: 200, body: { status: 'success', data: { user_id: 'AB1234' } } }],
      ['200 that is not JSON', 'malformed', { status: 200, text: 'ok' }],
    ])('maps %s to %s', async (_, failure, reply) => {
      fake.replyNext(reply);
      expect((await failureOf(sut.exchange(requestTokenFor()))).failure).toBe(failure);
    });

    it('is tried once only, even when Kite does not answer in time', async () => {
      fake.delayNext(TIMEOUT_MS * 3);
      expect((await failureOf(sut.exchange(requestTokenFor()))).failure).toBe('timeout');
      expect(callsTo('POST', '/session/token')).toHaveLength(1);
    });

    it('keeps the request token, the checksum and the secret out of the error when Kite quotes them encoded', async () => {
      const requestToken = requestTokenFor();
      const checksum = createHash('sha256').update(`kitekey0123abcd${requestToken}kite-secret+with:odd%chars/0123456789`).digest('hex');
      const secret = fake.options.apiSecret;
      const quoted = [requestToken, checksum, encodeURIComponent(secret), Buffer.from(secret).toString('base64')];
      fake.replyNext({ status: 403, body: { status: 'error', message: `Bad ${quoted.join(' and ')}`, data: null, error_type: 'TokenException' } });
      const error = await failureOf(sut.exchange(requestToken));
      const said = `${error.message} ${JSON.stringify(error)}`;
      expect(error.message).toContain('Bad [redacted]');
      for (const secretForm of [...quoted, secret]) expect(said).not.toContain(secretForm);
    });
  });

  describe('whoami', () => {
    it('asks /user/profile with Authorization: token api_key:access_token and X-Kite-Version: 3', async () => {
      const { accessToken } = await sut.exchange(requestTokenFor('CD5678'));
      expect(await sut.whoami(accessToken)).toEqual({ account: 'CD5678' });
      const [call] = callsTo('GET', '/user/profile');
      expect(call.headers.authorization).toBe(`token kitekey0123abcd:${accessToken}`);
      expect(call.headers['x-kite-version']).toBe('3');
    });

    it('says unauthorized of a token the user logged out of Kite', async () => {
      const { accessToken } = await sut.exchange(requestTokenFor());
      fake.sandbox.logout({ api_key: fake.options.apiKey, access_token: accessToken });
      expect(await failureOf(sut.whoami(accessToken))).toMatchObject({ failure: 'unauthorized', brokerCode: 'TokenException', brokerStatus: 403 });
    });

    it.each<[string, string, FakeReply]>([
      ['403 PermissionException', 'rejected', { status: 403, body: { status: 'error', message: 'Insufficient permission', data: null, error_type: 'PermissionException' } }],
      ["a proxy's 403 page", 'rejected', { status: 403, text: '<html>Forbidden</html>', contentType: 'text/html' }],
      ['NetworkException (502)', 'unavailable', { status: 502, body: { status: 'error', message: 'Gateway', data: null, error_type: 'NetworkException' } }],
      ['success without a user id', 'malformed', { status: 200, body: { status: 'success', data: { user_name: 'X' } } }],
    ])('maps %s to %s, which says nothing of the token', async (_, failure, reply) => {
      const { accessToken } = await sut.exchange(requestTokenFor());
      fake.replyNext(reply);
      expect((await failureOf(sut.whoami(accessToken))).failure).toBe(failure);
    });

    it('keeps the Authorization value out of the error when Kite quotes it', async () => {
      const { accessToken } = await sut.exchange(requestTokenFor());
      fake.sandbox.end(accessToken);
      fake.echoNext();
      const error = await failureOf(sut.whoami(accessToken));
      const said = `${error.message} ${JSON.stringify(error)}`;
      expect(error.message).toContain('(you sent: [redacted])');
      expect(said).not.toContain(`token ${fake.options.apiKey}:`);
      expect(said).not.toContain(accessToken);
    });
  });

  describe('expiry', () => {
    it.each([
      ['05:59:59 IST', '2026-03-10T05:59:59+05:30', '2026-03-10T06:00:00+05:30'],
      ['06:00:00 IST', '2026-03-10T06:00:00+05:30', '2026-03-11T06:00:00+05:30'],
      ['06:00:01 IST', '2026-03-10T06:00:01+05:30', '2026-03-11T06:00:00+05:30'],
      ['23:59:59 IST', '2026-03-10T23:59:59+05:30', '2026-03-11T06:00:00+05:30'],
      ['00:00:00 IST', '2026-03-11T00:00:00+05:30', '2026-03-11T06:00:00+05:30'],
    ])('ends a token issued at %s at the next 06:00 in India', (_, issued, expires) => {
      expect(sut.expiresAt({}, new Date(issued))).toEqual(new Date(expires));
    });

    it("ends a token that is a JWT at its exp when that comes before the cut-off, and at the cut-off when it does not", async () => {
      const issuedAt = new Date('2026-03-10T22:00:00+05:30');
      const early = new Date('2026-03-11T01:00:00+05:30');
      fake.replyNext({ status: 200, body: { status: 'success', data: { user_id: 'AB1234', access_token: jwt({ exp: early.getTime() / 1000 }) } } });
      const grant = await sut.exchange(requestTokenFor());
      expect(grant.notAfter).toEqual(early);
      expect(sut.expiresAt(grant, issuedAt)).toEqual(early);

      const late = new Date('2026-03-11T09:00:00+05:30');
      fake.replyNext({ status: 200, body: { status: 'success', data: { user_id: 'AB1234', access_token: jwt({ exp: late.getTime() / 1000 }) } } });
      expect(sut.expiresAt(await sut.exchange(requestTokenFor()), issuedAt)).toEqual(new Date('2026-03-11T06:00:00+05:30'));
    });
  });
});
