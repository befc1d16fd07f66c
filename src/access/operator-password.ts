import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { digestsEqual, sha256Hex } from '../crypto/digest';

/**
 * The operator's password as ADMIN_AUTH keeps it: `scrypt:<log2 N>:<r>:<p>:<salt>:<hash>` (salt and hash in
 * base64url), a salted hash that costs a guesser tens of milliseconds and tens of megabytes per try; or the older
 * unsalted SHA-256 in hex, which a GPU tries by the billion a second and which is still read, with a warning.
 * `npm run operator-password` makes the first.
 */
export type StoredPassword =
  | { kind: 'scrypt'; log2n: number; r: number; p: number; salt: Buffer; hash: Buffer }
  | { kind: 'sha256'; hex: string };

/** OWASP's floor for scrypt is N = 2^17 with r = 8; 2^15 keeps a check near 50 ms on a small machine. */
const DEFAULT_COST = { log2n: 15, r: 8, p: 1 };
const SALT_BYTES = 16;
const HASH_BYTES = 32;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function parseStoredPassword(text: string): StoredPassword | null {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return { kind: 'sha256', hex: text.toLowerCase() };
  const [kind, log2n, r, p, salt, hash, ...rest] = text.split(':');
  if (kind !== 'scrypt' || rest.length > 0 || !BASE64URL.test(salt ?? '') || !BASE64URL.test(hash ?? '')) return null;
  const cost = { log2n: Number(log2n), r: Number(r), p: Number(p) };
  if (!(cost.log2n >= 14 && cost.log2n <= 20 && cost.r >= 1 && cost.r <= 32 && cost.p >= 1 && cost.p <= 16)) return null;
  const stored = { kind, ...cost, salt: Buffer.from(salt, 'base64url'), hash: Buffer.from(hash, 'base64url') } as const;
  return stored.salt.length >= 8 && stored.hash.length >= 16 ? stored : null;
}

export async function hashOperatorPassword(password: string, cost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, { ...cost, salt, hashBytes: HASH_BYTES });
  return `scrypt:${cost.log2n}:${cost.r}:${cost.p}:${salt.toString('base64url')}:${hash.toString('base64url')}`;
}

export async function passwordMatches(stored: StoredPassword, password: string): Promise<boolean> {
  if (stored.kind === 'sha256') return digestsEqual(sha256Hex(password), stored.hex);
  const presented = await derive(password, { ...stored, hashBytes: stored.hash.length });
  return timingSafeEqual(presented, stored.hash);
}

function derive(password: string, cost: { log2n: number; r: number; p: number; salt: Buffer; hashBytes: number }): Promise<Buffer> {
  const N = 2 ** cost.log2n;
  return new Promise((resolve, reject) =>
    // Node refuses above 32 MiB by default, which N = 2^15 with r = 8 already needs; allow what the cost asks.
    scrypt(password, cost.salt, cost.hashBytes, { N, r: cost.r, p: cost.p, maxmem: 256 * N * cost.r }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}
