import { StoredToken } from '../stored-token';

/** Enough for every account of a large desk, with room for the values that replace them through the day. */
const CAPACITY = 4096;

/**
 * Opened token values by their exact stored bytes. A sealed value is unique (a fresh IV each time it is written), so
 * an entry can never be stale: a replaced, removed or expired token is simply not read from Redis any more, and its
 * entry ages out. It saves each read the AES-GCM opening and two JSON parses of a value it has seen before. An entry
 * serves only the account it was opened for: a value copied under another account's key is opened again, with that
 * account as its additional data, and fails as it should.
 */
export class OpenedTokenCache {
  private readonly entries = new Map<string, StoredToken>();

  open(raw: string, clientId: string, opener: (raw: string) => StoredToken): StoredToken {
    const cached = this.entries.get(raw);
    if (cached?.clientId === clientId) return cached;
    const token = opener(raw);
    if (this.entries.size >= CAPACITY) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(raw, token);
    return token;
  }
}
