import { ManualClock } from '../../../test/support/manual-clock';
import { DhanSandbox } from './dhan-sandbox';

const APP = { appId: 'dhan-app', appSecret: 'dhan-secret' };
const REDIRECT_URL = 'http://127.0.0.1:5000/dhan/callback?from=dhan';

const body = (reply: { body: unknown }) => reply.body as Record<string, unknown>;

describe(DhanSandbox.name, () => {
  let clock: ManualClock;
  let sut: DhanSandbox;

  beforeEach(() => {
    clock = new ManualClock('2026-03-10T09:15:00+05:30');
    sut = new DhanSandbox({ apiKey: APP.appId, apiSecret: APP.appSecret, redirectUrl: REDIRECT_URL, accounts: ['1000000001', '1000000002'], now: () => clock.now().getTime() });
  });

  const consentFor = (clientId = '1000000001') => body(sut.generateConsent(clientId, APP)).consentAppId as string;
  const tokenIdOf = (redirect: string) => new URL(redirect).searchParams.get('tokenId') ?? undefined;

  describe('generate-consent', () => {
    it('gives a consent for a client it has, to the app whose id and secret it knows', () => {
      const reply = sut.generateConsent('1000000001', APP);
      expect(reply).toEqual({ status: 200, body: { consentAppId: expect.any(String), consentAppStatus: 'GENERATED', status: 'success' } });
      expect(sut.clientOf(body(reply).consentAppId as string)).toBe('1000000001');
    });

    it.each([
      ['another app secret', '1000000001', { ...APP, appSecret: 'other' }, 401, 'DH-901'],
      ['no app id', '1000000001', { appSecret: APP.appSecret }, 401, 'DH-901'],
      ['a client it does not have', '1000000009', APP, 400, 'DH-905'],
      ['no client', undefined, APP, 400, 'DH-905'],
    ])('refuses %s', (_, clientId, app, status, code) => {
      const reply = sut.generateConsent(clientId, app);
      expect([reply.status, body(reply).errorCode]).toEqual([status, code]);
    });
  });

  describe('the login page', () => {
    it('sends the browser to the redirect URL with a token id and nothing else of its own, once per consent', () => {
      const consent = consentFor();
      const back = new URL(sut.redirectAfterLogin(consent, '1000000001'));
      expect(`${back.origin}${back.pathname}`).toBe('http://127.0.0.1:5000/dhan/callback');
      expect([...back.searchParams.keys()]).toEqual(['from', 'tokenId']);
      expect(sut.loginProblem(consent)).toMatch(/already used/);
      expect(() => sut.redirectAfterLogin(consent, '1000000001')).toThrow(/refused/);
    });

    it('sends a cancelled login back without a token id', () => {
      expect(new URL(sut.redirectAfterLogin(consentFor(), null)).searchParams.has('tokenId')).toBe(false);
    });

    it('logs in only the client the consent is for', () => {
      expect(() => sut.redirectAfterLogin(consentFor('1000000001'), '1000000002')).toThrow(/for 1000000001/);
    });

    it('refuses a consent it never gave, or one past its minutes', () => {
      expect(sut.loginProblem('not-a-consent')).toMatch(/unknown/);
      const consent = consentFor();
      clock.advance(10 * 60_000);
      expect(sut.loginProblem(consent)).toMatch(/expired/);
    });
  });

  describe('consumeApp-consent', () => {
    it("gives the client's token once, with expiryTime 24 hours on in India's time, no zone", () => {
      const tokenId = tokenIdOf(sut.redirectAfterLogin(consentFor(), '1000000001'));
      const first = sut.consumeConsent(tokenId, APP);
      expect(first).toEqual({
        status: 200,
        body: expect.objectContaining({ dhanClientId: '1000000001', accessToken: expect.stringMatching(/^eyJ/), expiryTime: '2026-03-11T09:15:00' }),
      });
      const again = sut.consumeConsent(tokenId, APP);
      expect([again.status, body(again).errorCode]).toEqual([400, 'DH-905']);
    });

    it('refuses another app without spending the token id, and a token id past its minutes', () => {
      const tokenId = tokenIdOf(sut.redirectAfterLogin(consentFor(), '1000000001'));
      expect(sut.consumeConsent(tokenId, { ...APP, appSecret: 'other' }).status).toBe(401);
      expect(sut.consumeConsent(tokenId, APP).status).toBe(200);
      const late = sut.issueTokenId('1000000001');
      clock.advance(5 * 60_000);
      expect(sut.consumeConsent(late, APP).status).toBe(400);
    });
  });

  describe('the profile', () => {
    it('names the client of a live token until 24 hours after its issue, not a second more', () => {
      const token = sut.issueToken('1000000002');
      expect(sut.profile(token)).toEqual({ status: 200, body: expect.objectContaining({ dhanClientId: '1000000002', tokenValidity: '11/03/2026 09:15' }) });
      clock.set('2026-03-11T09:14:59+05:30');
      expect(sut.profile(token).status).toBe(200);
      clock.set('2026-03-11T09:15:00+05:30');
      expect([sut.profile(token).status, body(sut.profile(token)).errorCode]).toEqual([401, 'DH-901']);
    });

    it('refuses a token that was ended, or none at all, as DH-901', () => {
      const token = sut.issueToken('1000000001');
      sut.end(token);
      expect(body(sut.profile(token)).errorCode).toBe('DH-901');
      expect(sut.profile(undefined).status).toBe(401);
    });
  });
});
