import { StoredToken } from '../stored-token';
import { tokenView, tokenViewBody } from './token-body';

// Instants are built from the real now, so the token's fields change with the day the test runs on.
const issuedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
const expiresAt = new Date(issuedAt.getTime() + 3 * 3600_000);
const token = (): StoredToken => ({
  clientId: 'AB1234',
  accessToken: 'a-token-é-and-more',
  tokenType: 'bearer',
  scope: 'orders',
  issuedAt,
  expiresAt,
  source: 'login',
  fingerprint: 'fp',
});
const after = (ms: number) => new Date(issuedAt.getTime() + ms);
const parsed = (body: Buffer) => JSON.parse(body.toString('utf8')) as unknown;

describe('tokenViewBody', () => {
  it('is the JSON of tokenView, encoded as UTF-8, with the same fields in the same order', () => {
    const stored = token();
    const now = after(1500);
    const body = tokenViewBody(stored, now, 'pocketful');
    expect(body.toString('utf8')).toBe(JSON.stringify(tokenView(stored, now, 'pocketful')));
    expect(parsed(body)).toMatchObject({ clientId: 'AB1234', accessToken: 'a-token-é-and-more', expiresIn: 3 * 3600 - 2 });
  });

  it('gives every read within one second the same bytes, and new bytes with the next second', () => {
    const stored = token();
    // expiresIn counts whole seconds to the expiry: 10797 from 2.001 s after the issue up to 3 s.
    const first = tokenViewBody(stored, after(2001), 'pocketful');
    expect(tokenViewBody(stored, after(3000), 'pocketful')).toBe(first);
    const next = tokenViewBody(stored, after(3001), 'pocketful');
    expect(next).not.toBe(first);
    expect(parsed(first)).toMatchObject({ expiresIn: 3 * 3600 - 3 });
    expect(parsed(next)).toMatchObject({ expiresIn: 3 * 3600 - 4 });
  });

  it('keeps each token to its own answer', () => {
    const one = token();
    const other = { ...token(), clientId: 'ZZ9999', accessToken: 'another' };
    const now = after(0);
    expect(parsed(tokenViewBody(one, now, 'pocketful'))).toMatchObject({ clientId: 'AB1234', accessToken: 'a-token-é-and-more' });
    expect(parsed(tokenViewBody(other, now, 'pocketful'))).toMatchObject({ clientId: 'ZZ9999', accessToken: 'another' });
  });

  it('says 0 seconds left at and after the expiry, never a negative number', () => {
    const stored = token();
    expect(parsed(tokenViewBody(stored, expiresAt, 'pocketful'))).toMatchObject({ expiresIn: 0 });
    expect(parsed(tokenViewBody(stored, after(4 * 3600_000), 'pocketful'))).toMatchObject({ expiresIn: 0 });
  });
});
