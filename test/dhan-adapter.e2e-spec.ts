import { HttpService } from '@nestjs/axios';
import axios from 'axios';
import { DhanAdapter } from '../src/brokers/dhan/dhan.adapter';
import { DhanSettings, DhanSettingsValues } from '../src/brokers/dhan/dhan.settings';
import { DailyCutoff } from '../src/clock/daily-cutoff';
import { brokerContract, contractSubject, failureOf } from './support/broker-contract';
import { FakeReply } from './support/fake-broker-server';
import { FakeDhan } from './support/fake-dhan';
import { ManualClock } from './support/manual-clock';
import { BASE_DAY } from './support/test-time';
import { specBrokerMetrics } from './support/spec-broker-metrics';

/** Generous for a local port on a busy machine, short enough that the timeout tests stay quick. */
const TIMEOUT_MS = 1000;
const HOUR_MS = 3_600_000;

const query = (url: URL) => Object.fromEntries(url.searchParams) as Record<string, string>;

/** A JWT-shaped token with these claims (Dhan's access tokens are JWTs; the vault checks no signature). */
const jwt = (claims: Record<string, unknown>) =>
  `${Buffer.from('{"typ":"JWT","alg":"HS512"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2lnbmF0dXJl`;

/** `YYYY-MM-DDTHH:MM:SS` in India, no zone, as Dhan writes expiryTime: written out here apart from the vault's own. */
const istZoneless = (instant: Date) => new Date(instant.getTime() + 330 * 60_000).toISOString().slice(0, 19);

describe('DhanAdapter', () => {
  let fake: FakeDhan;
  let sut: DhanAdapter;
  let clock: ManualClock;

  const metrics = specBrokerMetrics();

  const adapterFor = (overrides: Partial<DhanSettingsValues> = {}) =>
    new DhanAdapter(
      new HttpService(axios.create()),
      new DhanSettings({
        apiKey: fake.options.apiKey,
        apiSecret: fake.options.apiSecret,
        clientId: fake.clientId,
        redirectUrl: fake.options.redirectUrl,
        authUrl: fake.url,
        apiUrl: fake.url,
        timeoutMs: TIMEOUT_MS,
        ...overrides,
      }),
      metrics(),
    );

  /** A person logs in as the configured client through Dhan's consent: the token id the way back carries. */
  const tokenIdFor = async (adapter = sut) => {
    const outcome = adapter.readCallback(query(fake.approve(new URL((await adapter.loginStart('state-0123456789')).url), fake.clientId)));
    if (outcome.kind !== 'code') throw new Error(`the login was refused: ${outcome.reason}`);
    return outcome.code;
  };

  beforeEach(async () => {
    clock = new ManualClock(BASE_DAY.at('09:15'));
    fake = await new FakeDhan({ now: () => clock.now().getTime() }).start();
    sut = adapterFor();
  });

  afterEach(() => fake?.stop());

  brokerContract(() =>
    contractSubject(fake, { adapter: sut, timeoutMs: TIMEOUT_MS, redirectUrl: fake.options.redirectUrl, secrets: [fake.options.apiSecret] }),
  );

  describe('the login start', () => {
    it("asks generate-consent for the configured client, with the app in Dhan's headers, then sends the browser to the consent's page", async () => {
      const start = await sut.loginStart('state-0123456789abcdef');
      const [call] = fake.callsTo('/app/generate-consent');
      expect(call).toMatchObject({ method: 'POST', query: { client_id: 'AB1234' }, appId: fake.options.apiKey, appSecret: fake.options.apiSecret });
      const url = new URL(start.url);
      expect(`${url.origin}${url.pathname}`).toBe(`${fake.url}/login/consentApp-login`);
      expect([...url.searchParams.keys()]).toEqual(['consentAppId']);
      expect(fake.sandbox.clientOf(url.searchParams.get('consentAppId') ?? undefined)).toBe('AB1234');
      expect(start.verifier).toBeUndefined();
    });

    it('puts nothing of the state in the URL: Dhan would not send it back', async () => {
      const start = await sut.loginStart('state-that-stays-in-the-cookie');
      expect(start.url).not.toContain('state-that-stays-in-the-cookie');
    });

    it('is refused as rejected, DH-901, when the app secret is not the app’s, and keeps the secret out of the error', async () => {
      sut = adapterFor({ apiSecret: 'not-the-secret' });
      fake.echoNext();
      const error = await failureOf(sut.loginStart('state-0123456789abcdef'));
      expect(error).toMatchObject({ failure: 'rejected', brokerCode: 'DH-901', brokerStatus: 401 });
      expect(`${error.message} ${JSON.stringify(error)}`).not.toContain('not-the-secret');
    });

    it.each<[string, string, FakeReply]>([
      ['a client id Dhan does not know (400)', 'rejected', { status: 400, body: { errorType: 'Input_Exception', errorCode: 'DH-905', errorMessage: 'Invalid client_id' } }],
      ['a status other than success in a 200', 'rejected', { status: 200, body: { status: 'failed', consentAppId: 'c-1' } }],
      ['DH-908 (500)', 'unavailable', { status: 500, body: { errorType: 'Internal_Server_Error', errorCode: 'DH-908', errorMessage: 'Try again' } }],
      ['success without a consentAppId', 'malformed', { status: 200, body: { status: 'success', consentAppStatus: 'GENERATED' } }],
    ])('maps %s to %s', async (_, failure, reply) => {
      fake.replyNext(reply);
      expect((await failureOf(sut.loginStart('state-0123456789abcdef'))).failure).toBe(failure);
    });

    it('is tried once only, even when Dhan does not answer in time', async () => {
      fake.delayNext(TIMEOUT_MS * 3);
      expect((await failureOf(sut.loginStart('state-0123456789abcdef'))).failure).toBe('timeout');
      expect(fake.callsTo('/app/generate-consent')).toHaveLength(1);
    });
  });

  describe('the callback', () => {
    it('reads the token id as the code', () => {
      expect(sut.returnsState).toBe(false);
      expect(sut.readCallback({ tokenId: 'tid-0123' })).toEqual({ kind: 'code', code: 'tid-0123' });
      expect(sut.readCallback({ tokenid: 'tid-0123' })).toEqual({ kind: 'code', code: 'tid-0123' });
    });

    it('reads the same code whatever state the query holds: Dhan sends none', async () => {
      const back = fake.approve(new URL((await sut.loginStart('state-0123456789abcdef')).url), 'AB1234');
      back.searchParams.set('state', 'state-planted-in-the-query');
      expect(sut.readCallback(query(back))).toEqual({ kind: 'code', code: back.searchParams.get('tokenId') });
    });

    it('reads a way back without a token id as refused, quoting nothing of the query', () => {
      const outcome = sut.readCallback({ tokenId: '', error: '<script>secret-ish</script>' });
      expect(outcome).toEqual({ kind: 'refused', reason: expect.any(String) });
      if (outcome.kind === 'refused') expect(outcome.reason).not.toContain('script');
    });
  });

  describe('the exchange', () => {
    it('asks consumeApp-consent for the token id, with the app in the headers and no access token', async () => {
      const tokenId = await tokenIdFor();
      const grant = await sut.exchange(tokenId);
      const [call] = fake.callsTo('/app/consumeApp-consent');
      expect(call).toMatchObject({ method: 'GET', query: { tokenId }, appId: fake.options.apiKey, appSecret: fake.options.apiSecret, accessToken: undefined });
      expect(grant).toEqual({ accessToken: expect.stringMatching(/^eyJ/), tokenType: 'bearer', scope: '', account: 'AB1234', notAfter: BASE_DAY.plus(1).at('09:15') });
    });

    it.each<[string, string, FakeReply]>([
      ['a token id Dhan refuses (400)', 'rejected', { status: 400, body: { errorType: 'Input_Exception', errorCode: 'DH-905', errorMessage: 'Invalid tokenId' } }],
      ["a proxy's HTML page (502)", 'unavailable', { status: 502, text: '<html>Bad Gateway</html>', contentType: 'text/html' }],
      ['success without an access token', 'malformed', { status: 200, body: { dhanClientId: 'AB1234', expiryTime: '2026-01-01T00:00:00' } }],
      ['200 that is not JSON', 'malformed', { status: 200, text: 'ok' }],
    ])('maps %s to %s', async (_, failure, reply) => {
      const tokenId = await tokenIdFor();
      fake.replyNext(reply);
      expect((await failureOf(sut.exchange(tokenId))).failure).toBe(failure);
    });

    it('is tried once only, even when Dhan does not answer in time', async () => {
      const tokenId = await tokenIdFor();
      fake.delayNext(TIMEOUT_MS * 3);
      expect((await failureOf(sut.exchange(tokenId))).failure).toBe('timeout');
      expect(fake.callsTo('/app/consumeApp-consent')).toHaveLength(1);
    });
  });

  describe('whoami', () => {
    it('asks /v2/profile with the access-token header alone, no app secret', async () => {
      const { accessToken } = await sut.exchange(await tokenIdFor());
      expect(await sut.whoami(accessToken)).toEqual({ account: 'AB1234' });
      const [call] = fake.callsTo('/v2/profile');
      expect(call).toMatchObject({ method: 'GET', accessToken, appId: undefined, appSecret: undefined });
    });

    it('says unauthorized of a token Dhan refuses with DH-901, at its end of life too', async () => {
      const { accessToken } = await sut.exchange(await tokenIdFor());
      clock.advance(24 * HOUR_MS);
      expect(await failureOf(sut.whoami(accessToken))).toMatchObject({ failure: 'unauthorized', brokerCode: 'DH-901', brokerStatus: 401 });
    });

    it.each<[string, string, FakeReply]>([
      ['DH-902, no access to the API (403)', 'rejected', { status: 403, body: { errorType: 'Invalid_Access', errorCode: 'DH-902', errorMessage: 'Not subscribed' } }],
      ["a proxy's 403 page", 'rejected', { status: 403, text: '<html>Forbidden</html>', contentType: 'text/html' }],
      ['a 401 that names no code', 'rejected', { status: 401, body: {} }],
      ['DH-908 (500)', 'unavailable', { status: 500, body: { errorType: 'Internal_Server_Error', errorCode: 'DH-908', errorMessage: 'x' } }],
      ['success without a client id', 'malformed', { status: 200, body: { tokenValidity: '01/01/2026 09:15' } }],
    ])('maps %s to %s, which says nothing of the token', async (_, failure, reply) => {
      const { accessToken } = await sut.exchange(await tokenIdFor());
      fake.replyNext(reply);
      expect((await failureOf(sut.whoami(accessToken))).failure).toBe(failure);
    });
  });

  describe('expiry: 24 hours from issue, no daily cut-off', () => {
    const issuedAt = BASE_DAY.at('09:15');
    const consumedWith = async (expiryTime: unknown, accessToken = 'opaque-access-token-0123456789') => {
      const tokenId = await tokenIdFor();
      fake.replyNext({ status: 200, body: { dhanClientId: 'AB1234', accessToken, expiryTime } });
      return sut.exchange(tokenId);
    };

    it('has no cut-off unless one is set', () => {
      expect(sut.cutoff).toBeNull();
      expect(sut.lifetimeMs).toBe(24 * HOUR_MS);
    });

    it.each([
      ['09:15 IST', '09:15'],
      ['23:59:59 IST', '23:59:59'],
      ['00:00:00 IST', '00:00:00'],
    ])('ends a token issued at %s, of which nothing else is known, 24 hours later', (_, time) => {
      const at = BASE_DAY.at(time);
      expect(sut.expiresAt({}, at)).toEqual(new Date(at.getTime() + 24 * HOUR_MS));
    });

    it("ends a token at the answer's expiryTime, read as India's time", async () => {
      const grant = await consumedWith(istZoneless(BASE_DAY.plus(1).at('08:00')));
      expect(grant.notAfter).toEqual(BASE_DAY.plus(1).at('08:00'));
      expect(sut.expiresAt(grant, issuedAt)).toEqual(BASE_DAY.plus(1).at('08:00'));
    });

    it('never keeps a token past 24 hours after issue, whatever expiryTime says', async () => {
      const grant = await consumedWith(istZoneless(BASE_DAY.plus(3).at('09:15')));
      expect(sut.expiresAt(grant, issuedAt)).toEqual(BASE_DAY.plus(1).at('09:15'));
    });

    it('ends a token at its JWT exp when that comes before expiryTime, and at 24 hours when expiryTime is unreadable', async () => {
      const early = BASE_DAY.at('20:00');
      const grant = await consumedWith(istZoneless(BASE_DAY.plus(1).at('09:15')), jwt({ exp: early.getTime() / 1000 }));
      expect(sut.expiresAt(grant, issuedAt)).toEqual(early);
      const unreadable = await consumedWith('tomorrow morning');
      expect(unreadable.notAfter).toBeUndefined();
      expect(sut.expiresAt(unreadable, issuedAt)).toEqual(BASE_DAY.plus(1).at('09:15'));
    });

    it('ends a token at a cut-off DHAN_TOKEN_EXPIRY_TIME sets, when that comes first', () => {
      const withCutoff = adapterFor({ cutoff: DailyCutoff.parse('06:00') });
      expect(withCutoff.expiresAt({}, issuedAt)).toEqual(BASE_DAY.plus(1).at('06:00'));
      expect(withCutoff.expiresAt({}, BASE_DAY.at('05:00'))).toEqual(BASE_DAY.at('06:00'));
    });

    it("ends a pasted token at its own JWT exp, or 24 hours after it was handed in", () => {
      const exp = BASE_DAY.at('18:00');
      expect(sut.expiresAt(sut.pasted(jwt({ exp: exp.getTime() / 1000 })), issuedAt)).toEqual(exp);
      expect(sut.expiresAt(sut.pasted('not-a-jwt'), issuedAt)).toEqual(BASE_DAY.plus(1).at('09:15'));
    });
  });
});
