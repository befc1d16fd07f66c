import { newPkcePair, s256Challenge, VERIFIER_SHAPE } from './pkce';

describe('PKCE', () => {
  it('computes S256 as RFC 7636 appendix B does', () => {
    expect(s256Challenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes a fresh 43-character verifier of unreserved characters each time, with its challenge', () => {
    const first = newPkcePair();
    const second = newPkcePair();
    expect(first.verifier).toMatch(VERIFIER_SHAPE);
    expect(first.verifier).toHaveLength(43);
    expect(first.challenge).toBe(s256Challenge(first.verifier));
    expect(second.verifier).not.toBe(first.verifier);
  });
});
