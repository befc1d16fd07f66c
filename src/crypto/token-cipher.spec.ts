import { randomBytes } from 'node:crypto';
import { KEY_BYTES, keyIdOf, SealedEnvelope, TokenCipher, TokenDecryptionError } from './token-cipher';

// Shaped like a Pocketful (fosite) token: two 43-character base64url parts joined by a dot.
const TOKEN = `${'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v'}.${'Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8Nn7Mm6L'}`;
const ACCOUNT = 'YA0002';

function decryptionError(run: () => unknown): TokenDecryptionError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TokenDecryptionError);
    return error as TokenDecryptionError;
  }
  throw new Error('expected a TokenDecryptionError, but nothing was thrown');
}

/** Flips one bit of a base64 field. */
function flipBit(base64: string, byte = 0): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[byte] ^= 0x01;
  return bytes.toString('base64');
}

describe('TokenCipher', () => {
  const key = randomBytes(KEY_BYTES);
  const cipher = new TokenCipher(key);

  it('opens what it sealed', () => {
    expect(cipher.open(cipher.seal(TOKEN, ACCOUNT), ACCOUNT)).toBe(TOKEN);
  });

  it('round-trips an empty string and non-ASCII text', () => {
    expect(cipher.open(cipher.seal('', ACCOUNT), ACCOUNT)).toBe('');
    expect(cipher.open(cipher.seal('tökén ✓', ACCOUNT), ACCOUNT)).toBe('tökén ✓');
  });

  it('a second cipher built from the same key bytes opens it (restart, another replica)', () => {
    const sealed = cipher.seal(TOKEN, ACCOUNT);
    expect(new TokenCipher(Buffer.from(key)).open(sealed, ACCOUNT)).toBe(TOKEN);
  });

  it('survives a JSON round trip, as it is stored', () => {
    const stored = JSON.stringify(cipher.seal(TOKEN, ACCOUNT));
    expect(cipher.open(JSON.parse(stored) as SealedEnvelope, ACCOUNT)).toBe(TOKEN);
  });

  it('uses a fresh 96-bit IV each time: two seals of the same token differ', () => {
    const first = cipher.seal(TOKEN, ACCOUNT);
    const second = cipher.seal(TOKEN, ACCOUNT);
    expect(Buffer.from(first.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(second.iv, 'base64')).toHaveLength(12);
    expect(first.iv).not.toBe(second.iv);
    expect(first.ct).not.toBe(second.ct);
    expect(first.tag).not.toBe(second.tag);
  });

  it('never repeats an IV over many seals', () => {
    const ivs = new Set(Array.from({ length: 1000 }, () => cipher.seal(TOKEN, ACCOUNT).iv));
    expect(ivs.size).toBe(1000);
  });

  it('the envelope carries v: 1, the key id, a 16-byte tag, and exactly the envelope fields', () => {
    const sealed = cipher.seal(TOKEN, ACCOUNT);
    expect(Object.keys(sealed).sort()).toEqual(['ct', 'iv', 'kid', 'tag', 'v']);
    expect(sealed.v).toBe(1);
    expect(sealed.kid).toBe(keyIdOf(key));
    expect(sealed.kid).toBe(cipher.keyId);
    expect(Buffer.from(sealed.tag, 'base64')).toHaveLength(16);
    expect(Buffer.from(sealed.ct, 'base64')).toHaveLength(Buffer.byteLength(TOKEN));
  });

  it('the stored text holds neither the token (in any common encoding) nor the key', () => {
    const text = JSON.stringify(cipher.seal(TOKEN, ACCOUNT));
    for (const secret of [TOKEN, ...TOKEN.split('.'), Buffer.from(TOKEN).toString('base64'), Buffer.from(TOKEN).toString('hex')]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toContain(key.toString('base64'));
    expect(text).not.toContain(key.toString('hex'));
  });

  it('a ciphertext sealed for one account does not open as another (associated data)', () => {
    const sealed = cipher.seal(TOKEN, ACCOUNT);
    const error = decryptionError(() => cipher.open(sealed, 'YA0003'));
    expect(error.keyId).toBe(cipher.keyId);
    expect(error.message).toContain('authentication failed');
  });

  it.each(['ct', 'tag', 'iv'] as const)('a flipped bit in %s fails authentication', (field) => {
    const sealed = cipher.seal(TOKEN, ACCOUNT);
    const tampered = { ...sealed, [field]: flipBit(sealed[field]) };
    decryptionError(() => cipher.open(tampered, ACCOUNT));
  });

  it('a truncated tag is refused (GCM short-tag forgery)', () => {
    const sealed = cipher.seal(TOKEN, ACCOUNT);
    const shortTag = Buffer.from(sealed.tag, 'base64').subarray(0, 4).toString('base64');
    decryptionError(() => cipher.open({ ...sealed, tag: shortTag }, ACCOUNT));
  });

  it('a ciphertext cut short or extended fails', () => {
    const sealed = cipher.seal(TOKEN, ACCOUNT);
    const ct = Buffer.from(sealed.ct, 'base64');
    decryptionError(() => cipher.open({ ...sealed, ct: ct.subarray(0, ct.length - 1).toString('base64') }, ACCOUNT));
    decryptionError(() => cipher.open({ ...sealed, ct: Buffer.concat([ct, Buffer.from([0])]).toString('base64') }, ACCOUNT));
  });

  it('an envelope with missing fields fails with TokenDecryptionError, not a TypeError', () => {
    const sealed = cipher.seal(TOKEN, ACCOUNT);
    decryptionError(() => cipher.open({ ...sealed, iv: undefined } as unknown as SealedEnvelope, ACCOUNT));
  });

  it('a wrong key refuses an envelope that names another key, and names that key id', () => {
    const other = new TokenCipher(randomBytes(KEY_BYTES));
    const sealed = cipher.seal(TOKEN, ACCOUNT);
    const error = decryptionError(() => other.open(sealed, ACCOUNT));
    expect(error.keyId).toBe(cipher.keyId);
    expect(error.message).toContain(cipher.keyId);
    expect(error.message).toContain('not configured');
  });

  it('a wrong key fails authentication even when the envelope claims its key id', () => {
    const other = new TokenCipher(randomBytes(KEY_BYTES));
    const sealed = { ...cipher.seal(TOKEN, ACCOUNT), kid: other.keyId };
    const error = decryptionError(() => other.open(sealed, ACCOUNT));
    expect(error.message).toContain('authentication failed');
  });

  it('the error names the key id but never the token, the account data or the key', () => {
    const sealed = cipher.seal(TOKEN, ACCOUNT);
    const errors = [
      decryptionError(() => cipher.open(sealed, 'YA0003')),
      decryptionError(() => new TokenCipher(randomBytes(KEY_BYTES)).open(sealed, ACCOUNT)),
      decryptionError(() => cipher.open({ ...sealed, ct: flipBit(sealed.ct) }, ACCOUNT)),
    ];
    for (const error of errors) {
      const text = `${error.message}\n${error.stack ?? ''}\n${JSON.stringify(error)}`;
      expect(error.name).toBe('TokenDecryptionError');
      expect(error.message).toContain(cipher.keyId);
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(TOKEN.slice(0, 20));
      expect(text).not.toContain(key.toString('base64'));
      expect(text).not.toContain(key.toString('hex'));
    }
  });

  it.each([0, 16, 31, 33, 64])('refuses a %i-byte key, without printing it', (length) => {
    const badKey = Buffer.alloc(length, 0x5a);
    let message = '';
    try {
      new TokenCipher(badKey);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(`encryption key must be 32 bytes, got ${length}`);
  });
});

describe('keyIdOf', () => {
  it('is 16 hex characters, stable for a key, different across keys', () => {
    const key = randomBytes(KEY_BYTES);
    expect(keyIdOf(key)).toMatch(/^[0-9a-f]{16}$/);
    expect(keyIdOf(Buffer.from(key))).toBe(keyIdOf(key));
    expect(keyIdOf(randomBytes(KEY_BYTES))).not.toBe(keyIdOf(key));
  });

  it('is not a piece of the key', () => {
    const key = randomBytes(KEY_BYTES);
    expect(key.toString('hex')).not.toContain(keyIdOf(key));
  });
});
