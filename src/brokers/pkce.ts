import { createHash, randomBytes } from 'node:crypto';

/**
 * PKCE with S256 (RFC 7636): the challenge goes out in the browser's redirect, the verifier only in the vault's own
 * call to /oauth2/token, so a code caught on its way back through the browser cannot be exchanged without it.
 */
export interface PkcePair {
  verifier: string;
  challenge: string;
}

/** What §4.1 allows a verifier to be: 43 to 128 unreserved characters. */
export const VERIFIER_SHAPE = /^[A-Za-z0-9._~-]{43,128}$/;
/** An S256 challenge: a SHA-256, base64url without padding. */
export const S256_CHALLENGE_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function s256Challenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** 32 random bytes in base64url: the 43 characters §4.1 recommends. */
export function newPkcePair(): PkcePair {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: s256Challenge(verifier) };
}
