import { AccountRecord, StoredToken } from './stored-token';

/**
 * Where tokens live. A port with two adapters, Redis (encrypted, shared by replicas) and memory (the demo);
 * both pass the same contract suite (test/contract/token-store.contract.ts).
 */
export abstract class TokenStore {
  /** Stores the token, replacing any earlier one in one step, and lets the store drop it at `expiresAt`. */
  abstract save(token: StoredToken): Promise<void>;

  abstract find(clientId: string): Promise<StoredToken | null>;

  /** True when there was a token to remove. The account stays known, without a token. */
  abstract remove(clientId: string): Promise<boolean>;

  /** Every account that has ever stored a token here, with its last token's times. */
  abstract accounts(): Promise<AccountRecord[]>;

  /** Resolves when the store answers; rejects otherwise. */
  abstract ping(): Promise<void>;
}
