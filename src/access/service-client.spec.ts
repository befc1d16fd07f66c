import { mayRead, ServiceClient } from './service-client';

const client = (accounts: string[]): ServiceClient => ({ name: 'c', keySha256: '0'.repeat(64), accounts, admin: false });

describe('mayRead', () => {
  it('"*" reads any account', () => {
    expect(mayRead(client(['*']), 'YA0002')).toBe(true);
    expect(mayRead(client(['*']), 'ZZ9999')).toBe(true);
  });

  it('a list reads exactly the accounts it names', () => {
    const listed = client(['YA0002', 'YA0003']);
    expect(mayRead(listed, 'YA0002')).toBe(true);
    expect(mayRead(listed, 'YA0003')).toBe(true);
    expect(mayRead(listed, 'YA0004')).toBe(false);
  });

  it('matches whole ids only, and ids as normalized (upper-case)', () => {
    const listed = client(['YA0002']);
    expect(mayRead(listed, 'YA000')).toBe(false);
    expect(mayRead(listed, 'YA00021')).toBe(false);
    expect(mayRead(listed, 'ya0002')).toBe(false);
  });

  it('"*" mixed with ids still reads everything', () => {
    expect(mayRead(client(['YA0002', '*']), 'YB0001')).toBe(true);
  });

  it('an empty list reads nothing', () => {
    expect(mayRead(client([]), 'YA0002')).toBe(false);
  });
});
