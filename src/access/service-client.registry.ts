import { Injectable } from '@nestjs/common';
import { digestsEqual, sha256Hex } from '../crypto/digest';
import { ServiceClient } from './service-client';

/** Who holds which key. Keys are known only by their hashes, compared in constant time. */
@Injectable()
export class ServiceClientRegistry {
  constructor(private readonly clients: readonly ServiceClient[]) {}

  authenticate(key: string): ServiceClient | null {
    const presented = sha256Hex(key);
    let match: ServiceClient | null = null;
    // Every entry is compared, so the time taken does not tell which one (if any) matched.
    for (const client of this.clients) {
      if (digestsEqual(presented, client.keySha256) && match === null) match = client;
    }
    return match;
  }
}
