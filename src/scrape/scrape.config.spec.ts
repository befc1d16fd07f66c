import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configurationProblems } from '../../test/support/configuration-problems';
import { loadConfiguration } from '../config/load-configuration';
import { sha256Hex } from '../crypto/digest';
import { httpConfig } from '../http/http.config';
import { scrapeConfig, ScrapeSettings } from './scrape.config';

const SLICES = [httpConfig, scrapeConfig];
const SECRET = 'f3b1c0ffee5eed0123456789abcdef0123456789abcdef0123456789abcdef01';

const problems = (env: Record<string, string>) => configurationProblems(() => loadConfiguration(env, SLICES));
const scrapeAuth = (env: Record<string, string>) => loadConfiguration(env, SLICES).get(ScrapeSettings).auth;

describe('METRICS_AUTH', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'metrics-auth-'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it('leaves /metrics open when unset, as before it existed, and says it was not written', () => {
    expect(scrapeAuth({})).toEqual({ kind: 'none', written: false });
    expect(scrapeAuth({ METRICS_AUTH: 'none' })).toEqual({ kind: 'none', written: true });
  });

  it('keeps a bearer secret only as its SHA-256', () => {
    const auth = scrapeAuth({ METRICS_AUTH: `bearer:${SECRET}` });
    expect(auth).toEqual({ kind: 'bearer', secretSha256: sha256Hex(SECRET) });
    expect(JSON.stringify(auth)).not.toContain(SECRET);
  });

  it('reads the secret from a file, without the whitespace around it, as Prometheus reads its credentials_file', () => {
    expect(scrapeAuth({ METRICS_AUTH: `bearer-file:${file('token', `  ${SECRET}\n`)}` })).toEqual({ kind: 'bearer', secretSha256: sha256Hex(SECRET) });
  });

  it('takes addresses and CIDR ranges, v4 and v6', () => {
    const auth = scrapeAuth({ METRICS_AUTH: 'allow:10.0.0.0/8, 192.168.1.5,fd00::/8' });
    if (auth.kind !== 'allow') throw new Error(`read as ${auth.kind}`);
    expect(['10.1.2.3', '::ffff:10.1.2.3', '192.168.1.5', 'fd00::1'].map((address) => auth.addresses.includes(address))).toEqual([true, true, true, true]);
    expect(['11.0.0.1', '192.168.1.6', 'fe80::1', 'not-an-ip'].map((address) => auth.addresses.includes(address))).toEqual([false, false, false, false]);
  });

  it.each([
    ['an unknown form', 'open', /^METRICS_AUTH must be none, bearer:SECRET, bearer-file:PATH/],
    ['none in capitals', 'None', /^METRICS_AUTH must be none/],
    ['a bearer secret under 32 characters', `bearer:${SECRET.slice(0, 31)}`, /^METRICS_AUTH=bearer:… needs a secret of 32 to 1024/],
    ['a bearer secret with a space', `bearer:${SECRET.slice(0, 20)} ${SECRET.slice(20)}`, /^METRICS_AUTH=bearer:… needs a secret/],
    ['an empty bearer secret', 'bearer:', /^METRICS_AUTH=bearer:… needs a secret/],
    ['an address that is not one', 'allow:10.0.0.0/8,vault-1', /^METRICS_AUTH=allow:… must list IP addresses or CIDR ranges/],
    ['a prefix too long', 'allow:10.0.0.0/33', /^METRICS_AUTH=allow:… must list IP addresses/],
    ['an empty list', 'allow:', /^METRICS_AUTH=allow:… must list IP addresses/],
    ['a /0 range, which is everyone', 'allow:10.0.0.0/8,0.0.0.0/0', /^METRICS_AUTH=allow:… lists a \/0 range, which lets every address in: write none/],
    ['the IPv6 /0', 'allow:::/0', /lets every address in/],
  ])('refuses %s at start, never repeating the value', (_case, value, problem) => {
    const found = problems({ METRICS_AUTH: value });
    expect(found).toEqual([expect.stringMatching(problem)]);
    if (value.includes(SECRET.slice(0, 20))) expect(found[0]).not.toContain(SECRET.slice(0, 20));
  });

  it('refuses a file it cannot read, or one that holds no usable secret, never repeating what it holds', () => {
    expect(problems({ METRICS_AUTH: `bearer-file:${join(dir, 'missing')}` })).toEqual(['METRICS_AUTH=bearer-file:… names a file the vault cannot read']);
    const short = file('short', 'tooshort\n');
    expect(problems({ METRICS_AUTH: `bearer-file:${short}` })).toEqual([expect.stringMatching(/^METRICS_AUTH=bearer-file:… must hold a secret of 32 to 1024/)]);
    expect(problems({ METRICS_AUTH: `bearer-file:${file('two-lines', `${SECRET}\n${SECRET}\n`)}` })[0]).not.toContain(SECRET);
  });

  it('refuses allow:… when TRUST_PROXY counts proxies, as anyone reaching the vault directly could then name the address', () => {
    expect(problems({ METRICS_AUTH: 'allow:10.0.0.0/8', TRUST_PROXY: '1' })).toEqual([
      expect.stringMatching(/^METRICS_AUTH=allow:… with TRUST_PROXY as a number of proxies .* set TRUST_PROXY to the proxies' addresses/),
    ]);
    expect(scrapeAuth({ METRICS_AUTH: 'allow:10.0.0.0/8', TRUST_PROXY: '10.0.0.5' }).kind).toBe('allow');
    expect(scrapeAuth({ METRICS_AUTH: 'allow:127.0.0.1' }).kind).toBe('allow');
  });
});
