import { Injectable } from '@nestjs/common';
import { hash, timingSafeEqual } from 'node:crypto';
import { ServiceClient } from './service-client';

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
/** Far more than a cluster has clients: keys stay known while they are in use. */
const KNOWN_KEYS = 1024;

/**
 * Who holds which key. Keys are known only by their hashes, compared in constant time. A key that matched is
 * remembered for as long as this registry lives (it is replaced when the clients change), so a strategy reading a
 * token a hundred times a second pays for one hash, not a hundred; a key that did not match is never remembered.
 */
@Injectable()
export class ServiceClientRegistry {
  /** A malformed digest (never written by `npm run clients`) can match no key: it has no bytes to compare. */
  private readonly entries: ReadonlyArray<{ client: ServiceClient; digest: Buffer | null }>;
  private readonly known = new Map<string, ServiceClient>();

  constructor(clients: readonly ServiceClient[]) {
    this.entries = clients.map((client) => ({
      client,
      digest: SHA256_HEX.test(client.keySha256) ? Buffer.from(client.keySha256, 'hex') : null,
    }));
  }

  authenticate(key: string): ServiceClient | null {
    const known = this.known.get(key);
    if (known) return known;
    const match = this.match(key);
    if (match && this.known.size < KNOWN_KEYS) this.known.set(key, match);
    return match;
  }

  private match(key: string): ServiceClient | null {
    const presented = hash('sha256', key, 'buffer');
    let match: ServiceClient | null = null;
    // Every entry is compared, so the time taken does not tell which one (if any) matched.
    for (const { client, digest } of this.entries) {
      if (digest !== null && timingSafeEqual(presented, digest) && match === null) match = client;
    }
    return match;
  }
}
