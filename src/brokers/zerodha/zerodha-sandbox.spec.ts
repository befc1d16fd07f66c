import { createHash } from 'node:crypto';
import { ManualClock } from '../../../test/support/manual-clock';
import { ZerodhaSandbox } from './zerodha-sandbox';

const API_KEY = 'kitekey0123abcd';
const API_SECRET = 'kite-secret';
const REDIRECT_URL = 'http://127.0.0.1:5000/zerodha/callback?from=kite';

const checksum = (requestToken: string, secret = API_SECRET) => createHash('sha256').update(API_KEY + requestToken + secret).digest('hex');
const form = (requestToken: string, secret?: string) => ({ api_key: API_KEY, request_token: requestToken, checksum: checksum(requestToken, secret) });
const errorType = (reply: { body: unknown }) => (reply.body as { error_type?: string }).error_type;
const accessTokenOf = (reply: { body: unknown }) => (reply.body as { data: { access_token: string } }).data.access_token;

describe(ZerodhaSandbox.name, () => {
  let clock: ManualClock;
  let sut: ZerodhaSandbox;

  beforeEach(() => {
    clock = new ManualClock('2026-03-10T09:15:00+05:30');
    sut = new ZerodhaSandbox({ apiKey: API_KEY, apiSecret: API_SECRET, redirectUrl: REDIRECT_URL, accounts: ['AB1234'], now: () => clock.now().getTime() });
  });

  describe('the login page', () => {
    it('sends the browser to the registered redirect URL with redirect_params appended as is, then the request token', () => {
      const back = new URL(sut.redirectAfterLogin({ api_key: API_KEY, v: '3', redirect_params: 'state=a%26b&x=1' }, 'AB1234'));
      expect(`${back.origin}${back.pathname}`).toBe('http://127.0.0.1:5000/zerodha/callback');
      expect([...back.searchParams.keys()]).toEqual(['from', 'state', 'x', 'request_token', 'action', 'type', 'status']);
      expect(back.searchParams.get('state')).toBe('a&b');
      expect(back.searchParams.get('status')).toBe('success');
    });

    it('sends a cancelled login back with no request token and a status other than success', () => {
      const back = new URL(sut.redirectAfterLogin({ api_key: API_KEY, v: '3', redirect_params: 'state=abc' }, null));
      expect(back.searchParams.has('request_token')).toBe(false);
      expect(back.searchParams.get('status')).not.toBe('success');
      expect(back.searchParams.get('state')).toBe('abc');
    });

    it.each([
      ['another api_key', { api_key: 'other', v: '3' }],
      ['no v=3', { api_key: API_KEY }],
    ])('refuses %s', (_, query) => {
      expect(sut.loginProblem(query)).not.toBeNull();
      expect(() => sut.redirectAfterLogin(query, 'AB1234')).toThrow(/refused/);
    });

    it('logs in only a user it knows', () => {
      expect(() => sut.redirectAfterLogin({ api_key: API_KEY, v: '3' }, 'ZZ9999')).toThrow(/no user ZZ9999/);
    });
  });

  describe('the exchange', () => {
    it('gives a token for the user the request token was issued to, once', () => {
      const requestToken = sut.issueRequestToken('AB1234');
      const first = sut.exchange(form(requestToken));
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ status: 'success', data: { user_id: 'AB1234', access_token: expect.any(String), login_time: '2026-03-10 09:15:00' } });
      const again = sut.exchange(form(requestToken));
      expect([again.status, errorType(again)]).toEqual([403, 'TokenException']);
    });

    it('refuses a request token past its few minutes', () => {
      const requestToken = sut.issueRequestToken('AB1234');
      clock.advance(5 * 60_000);
      const reply = sut.exchange(form(requestToken));
      expect([reply.status, errorType(reply)]).toEqual([403, 'TokenException']);
    });

    it('refuses a checksum made with another secret without spending the request token', () => {
      const requestToken = sut.issueRequestToken('AB1234');
      const refused = sut.exchange(form(requestToken, 'another-secret'));
      expect([refused.status, errorType(refused), (refused.body as { message: string }).message]).toEqual([403, 'TokenException', 'Invalid `checksum`.']);
      expect(sut.exchange(form(requestToken)).status).toBe(200);
    });

    it('refuses a form missing a field as InputException', () => {
      const reply = sut.exchange({ api_key: API_KEY, request_token: sut.issueRequestToken('AB1234') });
      expect([reply.status, errorType(reply)]).toEqual([400, 'InputException']);
    });
  });

  describe('the profile call', () => {
    const profile = (accessToken: string, apiKey = API_KEY) => sut.profile(`token ${apiKey}:${accessToken}`);

    it('names the user of a live token, and refuses it under another api_key', () => {
      const accessToken = accessTokenOf(sut.exchange(form(sut.issueRequestToken('AB1234'))));
      expect(profile(accessToken).body).toMatchObject({ status: 'success', data: { user_id: 'AB1234' } });
      expect(errorType(profile(accessToken, 'other-key'))).toBe('TokenException');
    });

    it('refuses a token from 06:00 in India the morning after its issue, not a second before', () => {
      const accessToken = accessTokenOf(sut.exchange(form(sut.issueRequestToken('AB1234'))));
      clock.set('2026-03-11T05:59:59+05:30');
      expect(profile(accessToken).status).toBe(200);
      clock.set('2026-03-11T06:00:00+05:30');
      expect([profile(accessToken).status, errorType(profile(accessToken))]).toEqual([403, 'TokenException']);
    });

    it('refuses a token after the user logs out', () => {
      const accessToken = accessTokenOf(sut.exchange(form(sut.issueRequestToken('AB1234'))));
      expect(sut.logout({ api_key: API_KEY, access_token: accessToken }).status).toBe(200);
      expect([profile(accessToken).status, errorType(profile(accessToken))]).toEqual([403, 'TokenException']);
    });
  });
});
