import { AccountRecord, StoredToken } from './stored-token';

/** An entry of the expiry index: which account's token expires when. */
export interface ExpiryEntry {
  clientId: string;
  expiresAt: Date;
}

/**
 * Where tokens live. A port with two adapters, Redis (encrypted, shared by replicas) and memory (the demo);
 * both pass the same contract suite (test/store-contract.e2e-spec.ts).
 */
export abstract class TokenStore {
  /** Stores the token, replacing any earlier one in one step, and lets the store drop it at `expiresAt`. */
  abstract save(token: StoredToken): Promise<void>;

  abstract find(clientId: string): Promise<StoredToken | null>;

  /** True when there was a token to remove. The account stays known, without a token. */
  abstract remove(clientId: string): Promise<boolean>;

  /** Removes the token only if it is still this one: a newer token stored meanwhile stays. */
  abstract removeIfCurrent(token: StoredToken): Promise<boolean>;

  /**
   * The expiry index, kept in the same step as each save: tokens whose expiry falls in [from, to], by expiry. A
   * removed token leaves it; an expired one stays until forgotten, so that its expiry can still be announced.
   */
  abstract expiringBetween(from: Date, to: Date): Promise<ExpiryEntry[]>;

  /** Drops an index entry, if it still has this expiry (a newer token's entry stays). */
  abstract forgetExpiry(clientId: string, expiresAt: Date): Promise<void>;

  abstract forgetExpiriesBefore(instant: Date): Promise<void>;

  /** Every account that has ever stored a token here, with its last token's times. */
  abstract accounts(): Promise<AccountRecord[]>;

  /** The same accounts by id alone, in one step, without looking for each one's token. */
  abstract accountIds(): Promise<string[]>;

  /** Which encryption key sealed each live token: key id → accounts. Empty for a store that does not encrypt. */
  abstract keyUsage(): Promise<Record<string, string[]>>;

  /**
   * Seals the account's token again under the sealing key, if another key sealed it, keeping its expiry; never
   * overwrites a token stored meanwhile (`changed`). A store that does not encrypt has nothing to do (`current`).
   */
  abstract reseal(clientId: string): Promise<'resealed' | 'current' | 'gone' | 'changed'>;

  /** Every account that has a token now, walked without blocking the store. */
  abstract storedAccounts(): AsyncIterable<string>;

  /** Resolves when the store answers; rejects otherwise. */
  abstract ping(): Promise<void>;
}
