import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

/** What is written to the store: nothing in it is secret without the key. */
export interface SealedEnvelope {
  v: 1;
  /** Names the key that sealed it, so a reader with several keys (rotation) knows which to use. */
  kid: string;
  iv: string;
  tag: string;
  ct: string;
}

export class TokenDecryptionError extends Error {
  constructor(readonly keyId: string, reason: string) {
    super(`stored token cannot be decrypted with key ${keyId}: ${reason}`);
    this.name = 'TokenDecryptionError';
  }
}

/**
 * A public, stable name for a key: an HMAC of a fixed label under the key, so it reveals nothing of the key and
 * stays the same across restarts and replicas.
 */
export function keyIdOf(key: Buffer): string {
  return createHmac('sha256', key).update('token-vault key id').digest('hex').slice(0, 16);
}

/**
 * AES-256-GCM with a fresh 96-bit IV per seal. The associated data binds a ciphertext to the account it was
 * written for: a value copied under another account fails authentication instead of serving the wrong token.
 */
export class TokenCipher {
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error(`encryption key must be ${KEY_BYTES} bytes, got ${key.length}`);
    this.keyId = keyIdOf(key);
  }

  seal(plaintext: string, associatedData: string): SealedEnvelope {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      v: 1,
      kid: this.keyId,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      ct: ct.toString('base64'),
    };
  }

  open(envelope: SealedEnvelope, associatedData: string): string {
    if (envelope.kid !== this.keyId) {
      throw new TokenDecryptionError(envelope.kid, 'that key is not configured');
    }
    try {
      const decipher = createDecipheriv(ALGORITHM, this.key, Buffer.from(envelope.iv, 'base64'), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(Buffer.from(envelope.tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(envelope.ct, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      // The crypto error says nothing useful and must not travel further with key material in scope.
      throw new TokenDecryptionError(envelope.kid, 'authentication failed (wrong key, wrong account or tampered)');
    }
  }
}
