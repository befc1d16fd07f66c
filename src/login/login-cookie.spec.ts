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
});
