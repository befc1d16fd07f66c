import { Injectable } from '@nestjs/common';
import { hash, timingSafeEqual } from 'node:crypto';
import { clientsFileUnusable } from '../errors/vault-error';
import { ServiceClient } from './service-client';

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
/** Far more than a cluster has clients: keys stay known while they are in use. */
const KNOWN_KEYS = 1024;

/** One set of clients and the keys that matched one of them: replaced together, never one without the other. */
interface ClientSet {
  /** A malformed digest (never written by `npm run clients`) can match no key: it has no bytes to compare. */
  readonly entries: ReadonlyArray<{ client: ServiceClient; digest: Buffer | null }>;
  readonly known: Map<string, ServiceClient>;
  /** Why every other key is refused while this set holds (the clients file cannot be used), or null. */
  readonly withheld: string | null;
}

/**
 * Who holds which key. Keys are known only by their hashes, compared in constant time. A key that matched is
 * remembered while its set of clients lasts, so a strategy reading a token a hundred times a second pays for one
 * hash, not a hundred; a key that did not match is never remembered. `replace` swaps the clients and drops what was
 * remembered in one assignment: from the next request on, a removed or rotated key matches nothing.
 */
@Injectable()
export class ServiceClientRegistry {
  private current: ClientSet;
  private readonly listeners = new Set<() => void>();

  constructor(clients: readonly ServiceClient[]) {
    this.current = clientSet(clients);
  }

  /**
   * The clients from now on (the clients file re-read); keys remembered under the old ones are forgotten. Then
   * whoever holds a request open on a key (a read that waits, an event stream) is told, to check it again at once.
   */
  replace(clients: readonly ServiceClient[]): void {
    this.swap(clientSet(clients));
  }

  /**
   * Only `kept` (the clients made in code) from now on, until the next replace; any other key is refused for
   * `reason`, which a caller is told (`withheld`): the clients file cannot be used, so who holds which key is not known.
   */
  withhold(kept: readonly ServiceClient[], reason: string): void {
    this.swap(clientSet(kept, reason));
  }

  /** Why keys are refused now, or null while the clients are known. */
  get withheld(): string | null {
    return this.current.withheld;
  }

  /** Calls `listener` after each replace (or withhold), until the returned function is called. It must not throw. */
  onReplace(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  private swap(set: ClientSet): void {
    this.current = set;
    for (const listener of [...this.listeners]) listener();
  }

  /**
   * The client that holds `key`, or null when none does. While the clients file cannot be used, a key that matches
   * none of the clients kept is refused (503 clients_file_unusable) rather than answered null: who holds it is not
   * known, so it is neither a stranger's key nor a guess to count.
   */
  holderOf(key: string): ServiceClient | null {
    const client = this.authenticate(key);
    if (client === null && this.withheld !== null) throw clientsFileUnusable(this.withheld);
    return client;
  }

  authenticate(key: string): ServiceClient | null {
    // One read of the set: a replace between the lookup and the remembering cannot put an old match in the new set.
    const set = this.current;
    const known = set.known.get(key);
    if (known) return known;
    const match = matchIn(set, key);
    if (match && set.known.size < KNOWN_KEYS) set.known.set(key, match);
    return match;
  }
}

function clientSet(clients: readonly ServiceClient[], withheld: string | null = null): ClientSet {
  return {
    withheld,
    entries: clients.map((client) => ({
      client,
      digest: SHA256_HEX.test(client.keySha256) ? Buffer.from(client.keySha256, 'hex') : null,
    })),
    known: new Map(),
  };
}

function matchIn(set: ClientSet, key: string): ServiceClient | null {
  const presented = hash('sha256', key, 'buffer');
  let match: ServiceClient | null = null;
  // Every entry is compared, so the time taken does not tell which one (if any) matched.
  for (const { client, digest } of set.entries) {
    if (digest !== null && timingSafeEqual(presented, digest) && match === null) match = client;
  }
  return match;
}
