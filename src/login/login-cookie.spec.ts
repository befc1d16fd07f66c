import { BrokerSettings } from '../brokers/pocketful/pocketful.config';
import { LoginCookies } from './login-cookie';

const cookiesFor = (redirectUrl: string) => new LoginCookies({ redirectUrl } as BrokerSettings);
const SECRET = 'S'.repeat(43);
const STATE = 's'.repeat(43);

/** `name=value` and the attributes of a Set-Cookie value. */
function parse(header: string) {
  const [pair, ...attributes] = header.split('; ');
  const [name, value] = pair.split('=');
  return { name, value, attributes };
}

describe('LoginCookies', () => {
  it('over http: HttpOnly, SameSite=Lax, the redirect URL’s folder, the state’s lifetime, not Secure', () => {
    const { name, value, attributes } = parse(cookiesFor('http://127.0.0.1:5000/pocketful/callback').issue(STATE, SECRET, 600_000));
    expect(name).toMatch(/^pocketful-login-[0-9a-f]{16}$/);
    expect(value).toBe(SECRET);
    expect(attributes.sort()).toEqual(['HttpOnly', 'Max-Age=600', 'Path=/pocketful', 'SameSite=Lax']);
  });

  it('over https: Secure, under a __Secure- name', () => {
    const { name, attributes } = parse(cookiesFor('https://vault.desk.example/pocketful/callback').issue(STATE, SECRET, 600_000));
    expect(name).toMatch(/^__Secure-pocketful-login-[0-9a-f]{16}$/);
    expect(attributes).toContain('Secure');
  });

  it('follows a proxy’s path prefix, and falls back to / for a folder it cannot write', () => {
    expect(cookiesFor('https://desk.example/vault/pocketful/callback').issue(STATE, SECRET, 1000)).toContain('; Path=/vault/pocketful;');
    expect(cookiesFor('https://desk.example/callback').issue(STATE, SECRET, 1000)).toContain('; Path=/;');
    expect(cookiesFor('https://desk.example/a;b/callback').issue(STATE, SECRET, 1000)).toContain('; Path=/;');
  });

  it('names each login’s cookie after its state, without the state in it', () => {
    const cookies = cookiesFor('http://127.0.0.1:5000/pocketful/callback');
    const first = parse(cookies.issue(STATE, SECRET, 1000)).name;
    expect(parse(cookies.issue(`${STATE}x`, SECRET, 1000)).name).not.toBe(first);
    expect(first).not.toContain(STATE.slice(0, 8));
    expect(parse(cookies.clear(STATE))).toMatchObject({ name: first, value: '' });
    expect(cookies.clear(STATE)).toContain('; Max-Age=0; Path=/pocketful; HttpOnly; SameSite=Lax');
  });

  it('reads the secret of its state among other cookies, and nothing else', () => {
    const cookies = cookiesFor('http://127.0.0.1:5000/pocketful/callback');
    const mine = parse(cookies.issue(STATE, SECRET, 1000)).name;
    const other = parse(cookies.issue(`${STATE}x`, 'O'.repeat(43), 1000)).name;
    expect(cookies.read(`a=b; ${other}=${'O'.repeat(43)};${mine}=${SECRET}`, STATE)).toBe(SECRET);
    expect(cookies.read(`${other}=${'O'.repeat(43)}`, STATE)).toBeUndefined();
    expect(cookies.read(undefined, STATE)).toBeUndefined();
    expect(cookies.read('', STATE)).toBeUndefined();
    expect(cookies.read(`${mine}=${SECRET.slice(1)}`, STATE)).toBeUndefined();
    expect(cookies.read(`${mine}="${SECRET}"`, STATE)).toBeUndefined();
    expect(cookies.read(`${mine}=${SECRET}x`, STATE)).toBeUndefined();
    expect(cookies.read(`x${mine}=${SECRET}`, STATE)).toBeUndefined();
  });

  describe('for a broker that sends no state back (Dhan)', () => {
    const dhan = () => LoginCookies.of('http://127.0.0.1:5000/dhan/callback', 'dhan', { carriesState: true });

    it('carries the state beside the secret, under one name for the broker, scoped as the others', () => {
      const { name, value, attributes } = parse(dhan().issue(STATE, SECRET, 600_000));
      expect(name).toBe('dhan-login-state');
      expect(value).toBe(`${STATE}.${SECRET}`);
      expect(attributes.sort()).toEqual(['HttpOnly', 'Max-Age=600', 'Path=/dhan', 'SameSite=Lax']);
      expect(parse(dhan().issue(`${STATE.slice(1)}x`, SECRET, 1000)).name).toBe(name);
      expect(dhan().clear(STATE)).toBe('dhan-login-state=; Max-Age=0; Path=/dhan; HttpOnly; SameSite=Lax');
      expect(parse(LoginCookies.of('https://vault.desk.example/dhan/callback', 'dhan', { carriesState: true }).issue(STATE, SECRET, 1000)).name).toBe(
        '__Secure-dhan-login-state',
      );
    });

    it('gives the callback the state it carries, and its secret for that state only', () => {
      const browser = dhan().sentBy(`a=b; dhan-login-state=${STATE}.${SECRET}`);
      expect(browser.carriedState()).toBe(STATE);
      expect(browser.secretOf(STATE)).toBe(SECRET);
      expect(browser.secretOf(`${STATE.slice(1)}x`)).toBeUndefined();
    });

    it.each([
      ['no cookie header', undefined],
      ['no login cookie', 'a=b'],
      ['a secret alone', `dhan-login-state=${SECRET}`],
      ['a short state', `dhan-login-state=${STATE.slice(1)}.${SECRET}`],
      ['a quoted value', `dhan-login-state="${STATE}.${SECRET}"`],
      ['a per-login cookie of another broker', `zerodha-login-0123456789abcdef=${SECRET}`],
    ])('finds no login in %s', (_, header) => {
      const browser = dhan().sentBy(header);
      expect(browser.carriedState()).toBeUndefined();
      expect(browser.secretOf(STATE)).toBeUndefined();
    });

    it('is not read by a broker whose cookies carry no state', () => {
      const cookies = LoginCookies.of('http://127.0.0.1:5000/zerodha/callback', 'zerodha');
      expect(cookies.sentBy(`zerodha-login-state=${STATE}.${SECRET}`).carriedState()).toBeUndefined();
    });
  });
});
