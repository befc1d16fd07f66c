import { ManualClock } from '../../../test/support/manual-clock';
import { IstDay } from '../../../test/support/test-time';
import { UpstoxSandbox } from './upstox-sandbox';

const FORM = 'application/x-www-form-urlencoded';
const APP = { apiKey: 'app-key', apiSecret: 'app-secret', redirectUrl: 'http://127.0.0.1:5000/upstox/callback' };

const errorCodeOf = (reply: { body: unknown }) => (reply.body as { errors?: Array<{ errorCode: string }> }).errors?.[0]?.errorCode;
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as { sub: string; exp: number };

describe(UpstoxSandbox.name, () => {
  const today = IstDay.of(new Date());
  let clock: ManualClock;
  let sut: UpstoxSandbox;

  const formFor = (code: string, overrides: Record<string, string> = {}) => ({
    code,
    client_id: APP.apiKey,
    client_secret: APP.apiSecret,
    redirect_uri: APP.redirectUrl,
    grant_type: 'authorization_code',
    ...overrides,
  });
  const tokenFrom = (reply: { status: number; body: unknown }) => {
    expect(reply.status).toBe(200);
    return (reply.body as { access_token: string }).access_token;
  };

  beforeEach(() => {
    clock = new ManualClock(today.at('10:00:00'));
    sut = new UpstoxSandbox({ ...APP, accounts: ['AB1234'], now: () => clock.now().getTime() });
  });

  it('shows its login page only for the registered client id and redirect URL (UDAPI100068)', () => {
    const query = { response_type: 'code', client_id: APP.apiKey, redirect_uri: APP.redirectUrl, state: 'abc' };
    expect(sut.authorizeProblem(query)).toBeNull();
    expect(errorCodeOf(sut.authorizeProblem({ ...query, redirect_uri: 'http://127.0.0.1:5000/zerodha/callback' })!)).toBe('UDAPI100068');
    expect(errorCodeOf(sut.authorizeProblem({ ...query, client_id: 'other' })!)).toBe('UDAPI100068');
  });

  it('sends the state back only when one was sent, and an error with no code for a cancelled login', () => {
    expect(new URL(sut.redirectAfterLogin(undefined, 'AB1234')).searchParams.has('state')).toBe(false);
    const cancelled = new URL(sut.redirectAfterLogin('abc', null)).searchParams;
    expect(Object.fromEntries(cancelled)).toEqual({ error: 'access_denied', error_description: expect.any(String), state: 'abc' });
  });

  it('spends a code on the first exchange that names it, even one that fails', () => {
    const code = sut.issueCode('AB1234');
    expect(errorCodeOf(sut.exchange(FORM, formFor(code, { client_secret: 'wrong' })))).toBe('UDAPI100069');
    expect(errorCodeOf(sut.exchange(FORM, formFor(code)))).toBe('UDAPI100057');
  });

  it('refuses a form with another redirect URL, another grant, or not sent as a form', () => {
    expect(errorCodeOf(sut.exchange(FORM, formFor(sut.issueCode('AB1234'), { redirect_uri: 'http://127.0.0.1:5000/other' })))).toBe('UDAPI100069');
    expect(errorCodeOf(sut.exchange(FORM, formFor(sut.issueCode('AB1234'), { grant_type: 'refresh_token' })))).toBe('UDAPI100036');
    expect(errorCodeOf(sut.exchange('application/json', formFor(sut.issueCode('AB1234'))))).toBe('UDAPI100036');
    expect(tokenFrom(sut.exchange(`${FORM}; charset=utf-8`, formFor(sut.issueCode('AB1234'))))).toEqual(expect.any(String));
  });

  it('lets a code live five minutes', () => {
    const kept = sut.issueCode('AB1234');
    const lost = sut.issueCode('AB1234');
    clock.advance(5 * 60_000 - 1);
    expect(tokenFrom(sut.exchange(FORM, formFor(kept)))).toEqual(expect.any(String));
    clock.advance(1);
    expect(errorCodeOf(sut.exchange(FORM, formFor(lost)))).toBe('UDAPI100057');
  });

  it('issues a JWT for the account whose exp is the next 03:30 IST, and serves it until then', () => {
    clock.set(today.at('03:29:59'));
    const early = tokenFrom(sut.exchange(FORM, formFor(sut.issueCode('AB1234'))));
    expect(claimsOf(early)).toMatchObject({ sub: 'AB1234', exp: today.at('03:30:00').getTime() / 1000 });
    clock.set(today.at('03:30:00'));
    const late = tokenFrom(sut.exchange(FORM, formFor(sut.issueCode('AB1234'))));
    expect(claimsOf(late).exp).toBe(today.plus(1).at('03:30:00').getTime() / 1000);
    expect(errorCodeOf(sut.profile(`Bearer ${early}`))).toBe('UDAPI100050');
    expect(sut.profile(`Bearer ${late}`)).toMatchObject({ status: 200, body: { data: { user_id: 'AB1234' } } });
  });

  it('ends a token on logout, answering 401 UDAPI100050 for it from then on', () => {
    const token = sut.mintToken('AB1234');
    expect(sut.logout(`Bearer ${token}`)).toEqual({ status: 200, body: { status: 'success', data: true } });
    expect(sut.profile(`Bearer ${token}`)).toMatchObject({ status: 401, body: { status: 'error' } });
    expect(errorCodeOf(sut.profile(`Bearer ${token}`))).toBe('UDAPI100050');
  });

  it('hands out an extended token only when asked to, living far past the cut-off', () => {
    const plain = sut.exchange(FORM, formFor(sut.issueCode('AB1234'))).body as { extended_token: unknown };
    expect(plain.extended_token).toBeNull();
    const extended = new UpstoxSandbox({ ...APP, accounts: ['AB1234'], now: () => clock.now().getTime(), extendedTokens: true });
    const body = extended.exchange(FORM, formFor(extended.issueCode('AB1234'))).body as { access_token: string; extended_token: string };
    expect(claimsOf(body.extended_token).exp).toBeGreaterThan(today.plus(300).at('00:00').getTime() / 1000);
    expect(claimsOf(body.access_token).exp).toBe(today.plus(1).at('03:30:00').getTime() / 1000);
  });
});
