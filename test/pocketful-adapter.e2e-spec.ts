import { HttpService } from '@nestjs/axios';
import axios from 'axios';
import { createHash } from 'node:crypto';
import { BrokerError } from '../src/brokers/broker-error';
import { BrokerMetrics } from '../src/brokers/broker-metrics';
import { PocketfulAdapter } from '../src/brokers/pocketful/pocketful.adapter';
import { PocketfulClient } from '../src/brokers/pocketful/pocketful.client';
import { BrokerSettings, pocketfulConfig } from '../src/brokers/pocketful/pocketful.config';
import { Clock, SystemClock } from '../src/clock/clock';
import { brokersConfig } from '../src/brokers/brokers.config';
import { loadConfiguration } from '../src/config/load-configuration';
import { VaultError } from '../src/errors/vault-error';
import { httpConfig } from '../src/http/http.config';
import { VaultMetrics } from '../src/metrics/vault-metrics';
import { TokenSettings, tokensConfig } from '../src/tokens/tokens.config';
import { brokerContract, BrokerContractSubject, contractSubject, failureOf } from './support/broker-contract';
import { FakePocketful } from './support/fake-pocketful';
import { ManualClock } from './support/manual-clock';
import { BASE_DAY } from './support/test-time';

const TIMEOUT_MS = 400;
const query = (url: URL) => Object.fromEntries(url.searchParams) as Record<string, string>;

/** Each build's own registry (a client's metrics register once per registry), stopped after each test. */
const openMetrics: VaultMetrics[] = [];

interface Built {
  adapter: PocketfulAdapter;
  settings: BrokerSettings;
}

/**
 * The adapter as the vault's configuration builds its parts: Pocketful's slice from the fake's variables, the cut-off
 * from TOKEN_EXPIRY_TIME (the tokens slice), a client with the vault's metrics.
 */
function build(fake: FakePocketful, env: Record<string, string> = {}, clock: Clock = new SystemClock()): Built {
  const configuration = loadConfiguration({ POCKETFUL_TIMEOUT_MS: String(TIMEOUT_MS), ...fake.variables, ...env }, [
    httpConfig,
    pocketfulConfig,
    brokersConfig,
    tokensConfig,
  ]);
  const settings = configuration.get(BrokerSettings);
  const metrics = new VaultMetrics();
  openMetrics.push(metrics);
  const client = new PocketfulClient(new HttpService(axios.create()), settings, new BrokerMetrics(metrics));
  return { adapter: new PocketfulAdapter(client, configuration.get(TokenSettings).cutoff, clock), settings };
}


/** Everything an error shows anywhere: its message, its broker code, and whatever it serializes to. */
const saidBy = (error: BrokerError) => `${error.message} ${error.brokerCode ?? ''} ${JSON.stringify(error)} ${String(error.stack)}`;

describe('PocketfulAdapter', () => {
  let fake: FakePocketful;

  beforeEach(async () => {
    fake = await new FakePocketful().start();
  });

  afterEach(async () => {
    for (const metrics of openMetrics.splice(0)) metrics.onApplicationShutdown();
    await fake?.stop();
  });

  /** A login approved at the fake as `account`: the code, and what loginStart kept for it. */
  async function approvedLogin(adapter: PocketfulAdapter, account = 'YA0002') {
    const start = adapter.loginStart('state-0123456789abcdef');
    const outcome = adapter.readCallback(query(fake.approve(new URL(start.url), account)));
    if (outcome.kind !== 'code') throw new Error(`the login was refused: ${outcome.reason}`);
    return { start, code: outcome.code };
  }

  describe('against the broker contract', () => {
    let subject: BrokerContractSubject;

    beforeEach(() => {
      const { adapter, settings } = build(fake);
      subject = contractSubject(fake, { adapter, timeoutMs: TIMEOUT_MS, redirectUrl: settings.redirectUrl, secrets: [settings.appSecret] });
    });

    brokerContract(() => subject);
  });

  describe('the login page', () => {
    it("sends Pocketful's documented parameters and an S256 challenge of the verifier it keeps", () => {
      const { adapter } = build(fake);
      const start = adapter.loginStart('state-0123456789abcdef');
      const url = new URL(start.url);
      expect(`${url.origin}${url.pathname}`).toBe(`${fake.url}/oauth2/auth`);
      expect(start.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const challenge = createHash('sha256').update(start.verifier!).digest('base64url');
      expect(query(url)).toEqual({
        scope: 'orders holdings',
        state: 'state-0123456789abcdef',
        redirect_uri: 'http://127.0.0.1:5000/pocketful/callback',
        response_type: 'code',
        client_id: 'test-app-id',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
    });

    it('sends no challenge, keeps no verifier and sends none at the exchange with POCKETFUL_PKCE=false', async () => {
      const { adapter } = build(fake, { POCKETFUL_PKCE: 'false', POCKETFUL_SCOPE: 'orders' });
      const start = adapter.loginStart('state-0123456789abcdef');
      expect(start.verifier).toBeUndefined();
      expect(query(new URL(start.url))).toEqual({
        scope: 'orders',
        state: 'state-0123456789abcdef',
        redirect_uri: 'http://127.0.0.1:5000/pocketful/callback',
        response_type: 'code',
        client_id: 'test-app-id',
      });
      const { code } = await approvedLogin(adapter);
      await adapter.exchange(code, start);
      expect(fake.calls.find((call) => call.path === '/oauth2/token')?.form).toEqual({
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'http://127.0.0.1:5000/pocketful/callback',
      });
    });

    it('gives every login a verifier of its own', () => {
      const { adapter } = build(fake);
      expect(adapter.loginStart('state-0123456789abcdef').verifier).not.toBe(adapter.loginStart('state-0123456789abcdef').verifier);
    });
  });

  describe('the callback', () => {
    const read = (callback: Record<string, string | undefined>) => build(fake).adapter.readCallback(callback);

    it('reads the code, whatever else comes with it', () => {
      expect(read({ code: 'abc.def', scope: 'orders holdings', state: 'state-0123456789' })).toEqual({
        kind: 'code',
        code: 'abc.def',
      });
      expect(read({ code: 'abc.def' })).toEqual({ kind: 'code', code: 'abc.def' });
    });

    it("reads a cancelled login as refused, with OAuth2's error and Pocketful's description", () => {
      const { adapter } = build(fake);
      const start = adapter.loginStart('state-of-a-cancelled-login');
      expect(adapter.readCallback(query(fake.deny(new URL(start.url))))).toEqual({
        kind: 'refused',
        error: 'access_denied',
        reason: 'The resource owner denied the request',
      });
    });

    it('reads an error even beside a code, and makes an odd one safe to show', () => {
      expect(read({ error: 'invalid_scope', code: 'abc.def', state: 'state-0123456789' })).toEqual({
        kind: 'refused',
        error: 'invalid_scope',
        reason: 'invalid_scope',
      });
      expect(read({ error: '<script>', error_description: 'line one\r\nline two\u0000', state: 'state-0123456789' })).toEqual({
        kind: 'refused',
        error: 'unknown_error',
        reason: 'line one line two ',
      });
      const long = read({ error: 'server_error', error_description: 'x'.repeat(1000) });
      expect(long.kind === 'refused' && long.reason).toBe('x'.repeat(300));
    });

    it.each([
      ['no code', {}],
      ['an empty code', { code: '' }],
      ['a code with spaces', { code: 'abc def' }],
      ['a code longer than 2048 characters', { code: 'a'.repeat(2049) }],
    ])('refuses %s as code_missing, before anything reaches Pocketful', (_case, callback: Record<string, string>) => {
      let thrown: unknown;
      try {
        read({ ...callback, state: 'state-0123456789' });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(VaultError);
      expect((thrown as VaultError).code).toBe('code_missing');
      expect(fake.calls).toEqual([]);
    });
  });

  describe('the exchange', () => {
    it('sends the app credentials form-encoded in Basic, and the code, redirect_uri and verifier as a form', async () => {
      const { adapter } = build(fake);
      const { start, code } = await approvedLogin(adapter);
      await adapter.exchange(code, start);
      const exchange = fake.calls.find((call) => call.path === '/oauth2/token')!;
      // The fake's secret is `test-app-secret+with:odd%chars`: form-encoded per RFC 6749 §2.3.1, then base64.
      expect(exchange.authorization).toBe(`Basic ${Buffer.from('test-app-id:test-app-secret%2Bwith%3Aodd%25chars').toString('base64')}`);
      expect(exchange.contentType).toBe('application/x-www-form-urlencoded');
      expect(exchange.form).toEqual({
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'http://127.0.0.1:5000/pocketful/callback',
        code_verifier: start.verifier,
      });
      expect(fake.exchangedCodes).toEqual([code]);
    });

    it("answers the token, its type and scope, and no account (trading_info names it)", async () => {
      const { adapter } = build(fake);
      const { start, code } = await approvedLogin(adapter, 'YA0003');
      const grant = await adapter.exchange(code, start);
      expect(grant).toEqual({ accessToken: expect.stringMatching(/^[\w-]{43}\.[\w-]{43}$/), tokenType: 'bearer', scope: 'orders holdings', notAfter: expect.any(Date) });
      expect(await adapter.whoami(grant.accessToken)).toEqual({ account: 'YA0003' });
    });

    it('is refused, as rejected, without the verifier the challenge was made from', async () => {
      const { adapter } = build(fake);
      const { code } = await approvedLogin(adapter);
      const error = await failureOf(adapter.exchange(code, {}));
      expect({ failure: error.failure, code: error.brokerCode, status: error.brokerStatus }).toEqual({ failure: 'rejected', code: 'invalid_grant', status: 400 });
    });

    it.each([
      ['a wrong app secret', { BROKER_API_SECRET: 'not-the-secret' }, { failure: 'rejected', brokerCode: 'invalid_client', brokerStatus: 401 }],
      ['a redirect_uri other than the login\'s', { REDIRECT_URL: 'http://127.0.0.1:5000/elsewhere' }, { failure: 'rejected', brokerCode: 'invalid_grant', brokerStatus: 400 }],
    ])('maps %s to its failure', async (_case, env, expected) => {
      const code = fake.broker.issueCode('YA0002');
      const error = await failureOf(build(fake, env).adapter.exchange(code, {}));
      expect(error).toMatchObject(expected);
    });

    it.each([
      ['an answer without an access token', 'malformed', { status: 200, body: { token_type: 'bearer' } }],
      ['a proxy\'s HTML error page', 'unavailable', { status: 502, text: '<html>Bad Gateway</html>', contentType: 'text/html' }],
    ] as const)('maps %s to %s', async (_case, failure, reply) => {
      fake.tokenReply = reply;
      const error = await failureOf(build(fake).adapter.exchange(fake.broker.issueCode('YA0002'), {}));
      expect(error.failure).toBe(failure);
    });
  });

  describe('whoami', () => {
    it.each([
      ["Pocketful's error inside HTTP 200", 'unauthorized', { status: 200, body: { status: 'error', message: 'Request Unauthorised', error_code: 40000, data: {} } }],
      ['HTTP 403', 'unauthorized', { status: 403, body: { status: 'error', message: 'Forbidden', error_code: 40000, data: {} } }],
      ['an answer without a client id', 'malformed', { status: 200, body: { status: 'success', data: { name: 'X' } } }],
      ['HTTP 500', 'unavailable', { status: 500, body: { status: 'error', message: 'Something went wrong', data: {} } }],
    ] as const)('maps %s to %s', async (_case, failure, reply) => {
      fake.tradingInfoReply = reply;
      const error = await failureOf(build(fake).adapter.whoami(fake.broker.mintToken('YA0002')));
      expect(error.failure).toBe(failure);
    });

    it('asks trading_info with the token as Bearer, and keeps only the client id of the answer', async () => {
      const token = fake.broker.mintToken('YA0002');
      const account = await build(fake).adapter.whoami(token);
      expect(account).toEqual({ account: 'YA0002' });
      expect(fake.calls).toEqual([{ path: '/api/v1/user/trading_info', authorization: `Bearer ${token}` }]);
    });
  });

  describe('expiry', () => {
    /** A token exchanged while the vault's clock stands at `at`, and when the adapter says it ends. */
    async function expiryOfLoginAt(at: Date, env: Record<string, string> = {}): Promise<Date> {
      const clock = new ManualClock(at);
      const { adapter } = build(fake, env, clock);
      const { start, code } = await approvedLogin(adapter);
      const grant = await adapter.exchange(code, start);
      return adapter.expiresAt(grant, clock.now());
    }

    it('ends a token issued at 23:59:59 IST a second later, at the midnight cut-off, whatever expires_in says', async () => {
      expect(await expiryOfLoginAt(BASE_DAY.at('23:59:59'))).toEqual(BASE_DAY.plus(1).at('00:00:00'));
    });

    it('ends a token issued at 00:00:00 IST by its expires_in (86399 s), a second before the next cut-off', async () => {
      expect(await expiryOfLoginAt(BASE_DAY.at('00:00:00'))).toEqual(BASE_DAY.at('23:59:59'));
    });

    it('ends a token by an expires_in shorter than the time to the cut-off', async () => {
      fake.broker.options.expiresInSeconds = 3600;
      expect(await expiryOfLoginAt(BASE_DAY.at('12:00:00'))).toEqual(BASE_DAY.at('13:00:00'));
    });

    it('ends a token at the cut-off alone when the answer gives no expires_in', async () => {
      fake.tokenReply = { status: 200, body: { access_token: 'opaque.token', token_type: 'bearer', scope: 'orders holdings' } };
      expect(await expiryOfLoginAt(BASE_DAY.at('12:00:00'))).toEqual(BASE_DAY.plus(1).at('00:00:00'));
    });

    it('moves the cut-off with TOKEN_EXPIRY_TIME: 05:59:59 and 06:00:00 IST for 06:00', async () => {
      expect(await expiryOfLoginAt(BASE_DAY.at('05:59:59'), { TOKEN_EXPIRY_TIME: '06:00' })).toEqual(BASE_DAY.at('06:00:00'));
      expect(await expiryOfLoginAt(BASE_DAY.at('06:00:00'), { TOKEN_EXPIRY_TIME: '06:00' })).toEqual(BASE_DAY.plus(1).at('05:59:59'));
    });

    it("ends a token that is a JWT no later than its exp, should Pocketful's tokens ever be JWTs", async () => {
      const issuedAt = BASE_DAY.at('12:00:00');
      const exp = Math.floor(issuedAt.getTime() / 1000) + 600;
      const payload = Buffer.from(JSON.stringify({ sub: 'YA0002', exp })).toString('base64url');
      fake.tokenReply = { status: 200, body: { access_token: `eyJhbGciOiJIUzI1NiJ9.${payload}.c2ln`, expires_in: 86399, token_type: 'bearer' } };
      expect(await expiryOfLoginAt(issuedAt)).toEqual(new Date(exp * 1000));
    });
  });

  describe('secrets', () => {
    it('keeps the code, the verifier, the app secret and its Basic value out of a refused exchange that quotes them', async () => {
      const { adapter } = build(fake);
      const { start, code } = await approvedLogin(adapter);
      fake.failNext(400);
      fake.echoNext();
      const error = await failureOf(adapter.exchange(code, start));
      const exchange = fake.calls.find((call) => call.path === '/oauth2/token')!;
      const basic = exchange.authorization!.replace('Basic ', '');
      // The fake did quote them, and the broker's words still reach the message.
      expect(error.message).toMatch(/Forced failure with HTTP 400\. \(sent: .*\[redacted\]/);
      for (const secret of [code, start.verifier!, fake.options.appSecret, basic]) expect(saidBy(error)).not.toContain(secret);
    });

    it('keeps the token out of a refused whoami that quotes it', async () => {
      const { adapter } = build(fake);
      const token = fake.broker.mintToken('YA0002');
      fake.kill(token);
      fake.echoNext();
      const error = await failureOf(adapter.whoami(token));
      expect(error.failure).toBe('unauthorized');
      expect(error.message).toMatch(/Request Unauthorised \(sent: \[redacted\]/);
      expect(saidBy(error)).not.toContain(token);
    });

    it('keeps every secret out of a timeout and of a broker that cannot be reached', async () => {
      const { adapter } = build(fake);
      const { start, code } = await approvedLogin(adapter);
      fake.delayNext(TIMEOUT_MS * 3);
      const timeout = await failureOf(adapter.exchange(code, start));
      const token = fake.broker.mintToken('YA0002');
      await fake.stop();
      const unreachable = await failureOf(adapter.whoami(token));
      expect([timeout.failure, unreachable.failure]).toEqual(['timeout', 'unavailable']);
      for (const error of [timeout, unreachable]) {
        for (const secret of [code, start.verifier!, fake.options.appSecret, token]) expect(saidBy(error)).not.toContain(secret);
      }
    });
  });
});
