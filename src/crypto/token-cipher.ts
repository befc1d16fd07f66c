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

/** A key and the id it is known by in envelopes. */
export interface EncryptionKey {
  id: string;
  key: Buffer;
}

/**
 * AES-256-GCM with a fresh 96-bit IV per seal. The associated data binds a ciphertext to the account it was
 * written for: a value copied under another account fails authentication instead of serving the wrong token.
 * Several keys may be configured for rotation: the first seals, any of them opens what names it.
 */
export class TokenCipher {
  /** The id of the key that seals. */
  readonly keyId: string;
  private readonly keys: ReadonlyMap<string, Buffer>;

  constructor(keys: Buffer | readonly EncryptionKey[]) {
    const ring = Buffer.isBuffer(keys) ? [{ id: keyIdOf(keys), key: keys }] : keys;
    if (ring.length === 0) throw new Error('at least one encryption key is needed');
    for (const { key } of ring) {
      if (key.length !== KEY_BYTES) throw new Error(`encryption key must be ${KEY_BYTES} bytes, got ${key.length}`);
    }
    this.keyId = ring[0].id;
    this.keys = new Map(ring.map(({ id, key }) => [id, key]));
  }

  /** Every key id this cipher can open, the sealing one first. */
  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  seal(plaintext: string, associatedData: string): SealedEnvelope {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.keys.get(this.keyId)!, iv, { authTagLength: TAG_BYTES });
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
    const kid = typeof envelope?.kid === 'string' ? envelope.kid.slice(0, 64) : 'none';
    const key = this.keys.get(kid);
    if (!key) throw new TokenDecryptionError(kid, 'that key is not configured');
    try {
      const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(envelope.iv, 'base64'), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(Buffer.from(envelope.tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(envelope.ct, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      // The crypto error says nothing useful and must not travel further with key material in scope.
      throw new TokenDecryptionError(kid, 'authentication failed (wrong key, wrong account or tampered)');
    }
  }
}
