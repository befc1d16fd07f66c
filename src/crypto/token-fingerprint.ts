import { Injectable } from '@nestjs/common';
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { KeyringSettings } from './keyring.config';

/**
 * Names a token without revealing it: an HMAC under a key derived from the sealing key, so that equal tokens match
 * across replicas while the fingerprint alone (unlike a plain hash) cannot be checked against a guessed or leaked
 * token by someone without the key. Without a keyring (the memory store) the key is made fresh per process.
 */
@Injectable()
export class TokenFingerprint {
  private readonly key: Buffer;

  constructor(keyring: KeyringSettings) {
    const sealing = keyring.sealingKey?.key;
    this.key = sealing ? Buffer.from(hkdfSync('sha256', sealing, Buffer.alloc(0), 'token-vault audit fingerprint', 32)) : randomBytes(32);
  }

  of(accessToken: string): string {
    return createHmac('sha256', this.key).update(accessToken).digest('base64url').slice(0, 16);
  }
}
