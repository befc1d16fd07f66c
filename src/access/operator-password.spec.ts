import { sha256Hex } from '../crypto/digest';
import { hashOperatorPassword, parseStoredPassword, passwordMatches } from './operator-password';

const QUICK = { log2n: 14, r: 8, p: 1 };

describe('the operator password as ADMIN_AUTH keeps it', () => {
  it('is a salted scrypt hash that matches its password only, in the documented shape', async () => {
    const text = await hashOperatorPassword('correct horse battery', QUICK);
    expect(text).toMatch(/^scrypt:14:8:1:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]{43}$/);
    expect(text).not.toContain('correct');
    const stored = parseStoredPassword(text)!;
    expect(stored).toMatchObject({ kind: 'scrypt', log2n: 14, r: 8, p: 1 });
    expect(await passwordMatches(stored, 'correct horse battery')).toBe(true);
    expect(await passwordMatches(stored, 'correct horse battery ')).toBe(false);
    expect(await passwordMatches(stored, '')).toBe(false);
  });

  it('is salted: the same password twice gives two different hashes', async () => {
    expect(await hashOperatorPassword('same password here', QUICK)).not.toBe(await hashOperatorPassword('same password here', QUICK));
  });

  it('makes a dearer hash by default (N = 2^15)', async () => {
    expect(await hashOperatorPassword('correct horse battery')).toMatch(/^scrypt:15:8:1:/);
  });

  it('still reads the unsalted SHA-256 in hex', async () => {
    const stored = parseStoredPassword(sha256Hex('old password').toUpperCase())!;
    expect(stored).toEqual({ kind: 'sha256', hex: sha256Hex('old password') });
    expect(await passwordMatches(stored, 'old password')).toBe(true);
    expect(await passwordMatches(stored, 'other')).toBe(false);
  });

  it.each([
    ['a cost below 2^14', 'scrypt:10:8:1:c2FsdHNhbHRzYWx0c2FsdA:aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g'],
    ['a cost above 2^20', 'scrypt:21:8:1:c2FsdHNhbHRzYWx0c2FsdA:aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g'],
    ['no salt', 'scrypt:15:8:1::aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g'],
    ['a hash too short', 'scrypt:15:8:1:c2FsdHNhbHRzYWx0c2FsdA:aGFzaA'],
    ['a field too many', 'scrypt:15:8:1:c2FsdHNhbHRzYWx0c2FsdA:aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g:x'],
    ['another algorithm', 'bcrypt:15:8:1:c2FsdHNhbHRzYWx0c2FsdA:aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g'],
    ['a hex digest too short', 'abcdef'],
  ])('refuses %s', (_label, text) => {
    expect(parseStoredPassword(text)).toBeNull();
  });
});
