import { configurationProblems } from '../../test/support/configuration-problems';
import { loadConfiguration } from '../config/load-configuration';
import { httpConfig } from '../http/http.config';
import { sha256Hex } from '../crypto/digest';
import { accessConfig, AccessSettings } from './access.config';

const SLICES = [httpConfig, accessConfig];

const problems = (env: Record<string, string>) => configurationProblems(() => loadConfiguration(env, SLICES));

const operatorAuth = (env: Record<string, string>) => loadConfiguration(env, SLICES).get(AccessSettings).operatorAuth;
const SCRYPT = 'scrypt:15:8:1:c2FsdHNhbHRzYWx0c2FsdA:aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';

describe('ADMIN_AUTH', () => {
  it('must be written out outside the sandbox, naming the forms it takes', () => {
    expect(problems({})).toEqual([
      'ADMIN_AUTH must be set (unless SANDBOX=true): none, basic:USER:PASSWORD_HASH (from npm run operator-password), or ' +
        'header:HEADER-NAME[:allowed,values] for an SSO proxy',
    ]);
    expect(problems({ SANDBOX: 'false' })).toHaveLength(1);
  });

  it('defaults to none in the sandbox', () => {
    expect(operatorAuth({ SANDBOX: 'true' })).toEqual({ kind: 'none' });
  });

  it('takes none when written out', () => {
    expect(operatorAuth({ ADMIN_AUTH: 'none' })).toEqual({ kind: 'none' });
  });

  it('takes a salted scrypt hash, and the older SHA-256', () => {
    expect(operatorAuth({ ADMIN_AUTH: `basic:alice:${SCRYPT}` })).toMatchObject({ kind: 'basic', user: 'alice', password: { kind: 'scrypt', log2n: 15 } });
    expect(operatorAuth({ ADMIN_AUTH: `basic:alice:${sha256Hex('pw')}` })).toMatchObject({ kind: 'basic', password: { kind: 'sha256' } });
  });

  it.each(['basic:alice:password', 'basic:alice:', `basic::${SCRYPT}`, 'basic:alice:scrypt:9:8:1:c2FsdHNhbHRzYWx0c2FsdA:aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g', 'header:', 'open', 'None'])(
    'refuses %j, never repeating it',
    (value) => {
      const found = problems({ ADMIN_AUTH: value, TRUST_PROXY: '10.0.0.5' });
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(/^ADMIN_AUTH must be none, basic:USER:PASSWORD_HASH/);
      if (value.length > 12) expect(found[0]).not.toContain(value);
    },
  );

  it('takes header:… only with TRUST_PROXY naming the sign-on proxy by address, since only it may set the header', () => {
    const needsProxies = /^ADMIN_AUTH=header:… needs TRUST_PROXY to list the sign-on proxy's addresses\/CIDRs/;
    expect(problems({ ADMIN_AUTH: 'header:X-Forwarded-Email' })).toEqual([expect.stringMatching(needsProxies)]);
    expect(problems({ ADMIN_AUTH: 'header:X-Forwarded-Email', TRUST_PROXY: '1' })).toEqual([expect.stringMatching(needsProxies)]);
    expect(operatorAuth({ ADMIN_AUTH: 'header:X-Forwarded-Email:a@x,b@x', TRUST_PROXY: '10.0.0.0/24' })).toEqual({
      kind: 'header',
      header: 'x-forwarded-email',
      allowed: ['a@x', 'b@x'],
    });
  });
});
