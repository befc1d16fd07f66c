import { earliest, jwtExpiry } from './jwt-expiry';

const jwt = (claims: unknown) => `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;

describe(jwtExpiry.name, () => {
  it("reads a JWT's exp, in seconds, as an instant", () => {
    expect(jwtExpiry(jwt({ sub: '7BAB12', exp: 1_700_000_000 }))).toEqual(new Date(1_700_000_000_000));
  });

  it.each([
    ['an opaque token', 'a1b2c3d4e5'],
    ['three parts that are not JSON', 'a.b.c'],
    ['a JWT without exp', jwt({ sub: 'x' })],
    ['an exp that is not a number', jwt({ exp: '1700000000' })],
    ['a payload that is null', jwt(null)],
  ])('says nothing of %s', (_, token) => {
    expect(jwtExpiry(token)).toBeUndefined();
  });
});

describe(earliest.name, () => {
  it('takes the earliest of the instants given, skipping the missing ones', () => {
    expect(earliest(undefined, new Date(3), new Date(2), undefined)).toEqual(new Date(2));
    expect(earliest(undefined, undefined)).toBeUndefined();
  });
});
