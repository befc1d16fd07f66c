export type StateUse = 'fresh' | 'used' | 'unknown';

/**
 * The one-time values of the login: each `state` the vault handed out, and each authorization code it has sent
 * to Pocketful. Shared by all replicas (Redis) so that two of them, or a reload, can never use one twice.
 * Values arrive hashed: the store never holds a live state or code. Lifetimes are durations, so that a store which
 * expires by its own clock (Redis) and the vault's clock never disagree about when a value dies.
 */
export abstract class LoginStateStore {
  abstract saveState(stateHash: string, lifetimeMs: number): Promise<void>;

  /** Marks the state used and says what it was before: only one caller ever sees `fresh`. */
  abstract takeState(stateHash: string): Promise<StateUse>;

  /** True for the first caller only, for `lifetimeMs`. */
  abstract claimCode(codeHash: string, lifetimeMs: number): Promise<boolean>;
}
