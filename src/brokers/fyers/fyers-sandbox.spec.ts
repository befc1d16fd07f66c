import { createHash } from 'node:crypto';
import { ManualClock } from '../../../test/support/manual-clock';
import { jwtExpiry } from '../jwt-expiry';
import { FyersSandbox } from './fyers-sandbox';

const APP_ID = 'SANDBOXAPP-100';
const APP_SECRET = 'sandbox-secret';
const REDIRECT_URL = 'http://127.0.0.1:5000/fyers/callback';
const APP_ID_HASH = createHash('sha256').update(`${APP_ID}:${APP_SECRET}`).digest('hex');

describe(FyersSandbox.name, () => {
  let clock: ManualClock;
  let sut: FyersSandbox;

  const at = (ist: string) => new Date(`${ist}+05:30`);
  const exchange = (code: unknown, appIdHash: unknown = APP_ID_HASH) => sut.validateAuthCode({ grant_type: 'authorization_code', appIdHash, code });
  const tokenOf = (reply: { body: unknown }) => (reply.body as { access_token: string }).access_token;
  const errorCode = (reply: { body: unknown }) => (reply.body as { code?: unknown }).code;

  beforeEach(() => {
    clock = new ManualClock(at('2026-03-10T09:00:00'));
    sut = new FyersSandbox({ appId: APP_ID, appSecret: APP_SECRET, redirectUrl: REDIRECT_URL, accounts: ['XY01234'], now: () => clock.now().getTime() });
  });

  describe('the login page', () => {
    const query = { client_id: APP_ID, redirect_uri: REDIRECT_URL, response_type: 'code', state: 'state-1' };

    it('shows the login for its own app, redirect URL, response type and a state', () => {
      expect(sut.authorizeProblem(query)).toBeNull();
    });

    it.each([
      ['another app', { client_id: 'OTHERAPP00-100' }],
      ['another redirect URL', { redirect_uri: 'http://127.0.0.1:5000/elsewhere' }],
      ['another response type', { response_type: 'token' }],
      ['no state', { state: undefined }],
    ])('refuses %s', (_, change) => {
      expect(sut.authorizeProblem({ ...query, ...change })).toEqual(expect.any(String));
    });

    it('sends the browser back with s=ok, code=200, the auth code and the state, or s=error on a cancel', () => {
      const back = new URL(sut.redirectAfterLogin('state-1', 'XY01234'));
      expect(`${back.origin}${back.pathname}`).toBe(REDIRECT_URL);
      expect(Object.fromEntries(back.searchParams)).toEqual({ s: 'ok', code: '200', auth_code: expect.any(String), state: 'state-1' });
      const cancelled = new URL(sut.redirectAfterLogin('state-2', null));
      expect(cancelled.searchParams.get('s')).toBe('error');
      expect(cancelled.searchParams.get('auth_code')).toBeNull();
      expect(cancelled.searchParams.get('state')).toBe('state-2');
    });

    it('logs in only its own accounts', () => {
      expect(() => sut.redirectAfterLogin('state-1', 'ZZ99999')).toThrow(/not an account/);
    });
  });

  describe('validate-authcode', () => {
    it('exchanges a code once, for an access and a refresh token', () => {
      const code = sut.issueCode('XY01234');
      const first = exchange(code);
      expect(first).toEqual({
        status: 200,
        body: { s: 'ok', code: 200, message: '', access_token: expect.any(String), refresh_token: expect.any(String) },
      });
      const again = exchange(code);
      expect(again.status).toBe(400);
      expect(errorCode(again)).toBe(-413);
    });

    it('takes a code until its lifetime ends, and not from then', () => {
      const code = sut.issueCode('XY01234');
      const late = sut.issueCode('XY01234');
      clock.advance(5 * 60_000 - 1);
      expect(exchange(code).status).toBe(200);
      clock.advance(1);
      expect(errorCode(exchange(late))).toBe(-413);
    });

    it.each([
      ['a hash of the secret alone', createHash('sha256').update(APP_SECRET).digest('hex')],
      ['the secret itself', APP_SECRET],
      ['no hash', null],
    ])('refuses %s as the appIdHash (-371), and the code stays unused', (_, appIdHash) => {
      const code = sut.issueCode('XY01234');
      const refused = exchange(code, appIdHash);
      expect(refused.status).toBe(400);
      expect(errorCode(refused)).toBe(-371);
      expect(exchange(code).status).toBe(200);
    });

    it('refuses a missing code (-374), another grant type or a body that is not an object (-50)', () => {
      expect(errorCode(exchange(undefined))).toBe(-374);
      expect(errorCode(sut.validateAuthCode({ grant_type: 'refresh_token', appIdHash: APP_ID_HASH, code: sut.issueCode('XY01234') }))).toBe(-50);
      expect(errorCode(sut.validateAuthCode('code'))).toBe(-50);
    });
  });

  describe('access tokens', () => {
    it('are JWTs whose exp is the next 06:00 IST, and the profile refuses them from that second', () => {
      clock.set(at('2026-03-10T05:59:00'));
      const token = tokenOf(exchange(sut.issueCode('XY01234')));
      expect(jwtExpiry(token)).toEqual(at('2026-03-10T06:00:00'));
      clock.set(at('2026-03-10T05:59:59'));
      expect(sut.profile(`${APP_ID}:${token}`).status).toBe(200);
      clock.set(at('2026-03-10T06:00:00'));
      expect(sut.profile(`${APP_ID}:${token}`)).toEqual({ status: 401, body: { s: 'error', code: -16, message: 'Could not authenticate the user' } });
    });

    it('issued at 06:00 IST or later, live until 06:00 the next morning', () => {
      clock.set(at('2026-03-10T06:00:00'));
      expect(jwtExpiry(tokenOf(exchange(sut.issueCode('XY01234'))))).toEqual(at('2026-03-11T06:00:00'));
    });

    it("answer the profile only with the app's id before them, and no longer once logged out", () => {
      const token = tokenOf(exchange(sut.issueCode('XY01234')));
      expect(sut.profile(`${APP_ID}:${token}`)).toMatchObject({ status: 200, body: { s: 'ok', data: { fy_id: 'XY01234' } } });
      expect(errorCode(sut.profile(token))).toBe(-15);
      expect(errorCode(sut.profile(`Bearer ${token}`))).toBe(-15);
      expect(errorCode(sut.profile(undefined))).toBe(-15);
      expect(sut.logout(`${APP_ID}:${token}`)).toMatchObject({ status: 200, body: { s: 'ok' } });
      expect(errorCode(sut.profile(`${APP_ID}:${token}`))).toBe(-16);
    });

    it('end when the broker ends them', () => {
      const token = tokenOf(exchange(sut.issueCode('XY01234')));
      sut.end(token);
      expect(sut.profile(`${APP_ID}:${token}`).status).toBe(401);
    });
  });
});
