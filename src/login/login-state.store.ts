/** What a login keeps until its callback: which browser may complete it, and what proves the login to Pocketful. */
export interface PendingLogin {
  /** SHA-256 (hex) of the secret in the login cookie of the browser that began it. */
  browserHash: string;
  /** The PKCE code verifier, when a challenge went out with the authorize redirect. */
  verifier?: string;
}

/**
 * What taking a state found. `mismatch`: the state is pending, but the caller is not the browser that began it, and
 * the state stays pending. The verifier comes out with the one `fresh` answer and is forgotten by the store.
 */
export type StateTake =
  | { use: 'fresh'; verifier?: string }
  | { use: 'used' | 'unknown' | 'mismatch' }
  /** Taken before by this same browser, and its login stored a token: which account's, until when. */
  | { use: 'done'; account: string; expiresAt: Date };

/**
 * The one-time values of the login: each `state` the vault handed out, and each authorization code it has sent
 * to Pocketful. Shared by all replicas (Redis) so that two of them, or a reload, can never use one twice.
 * States, codes and browser secrets arrive hashed; the store never holds them live. Lifetimes are durations, so
 * that a store which expires by its own clock (Redis) and the vault's clock never disagree about when a value dies.
 */
export abstract class LoginStateStore {
  abstract saveState(stateHash: string, login: PendingLogin, lifetimeMs: number): Promise<void>;

  /**
   * Marks the state used if `browserHash` is the one it was saved with, in one atomic step: only one caller ever
   * sees `fresh`, and a caller from another browser (an empty hash matches nothing) changes nothing.
   */
  abstract takeState(stateHash: string, browserHash: string): Promise<StateTake>;

  /**
   * Records that the taken state's login stored `account`'s token until `expiresAt`, for the rest of the state's
   * life: a reload of the callback by the same browser is then told so (`done`), and any other caller still `used`.
   */
  abstract completeState(stateHash: string, browserHash: string, account: string, expiresAt: Date): Promise<void>;

  /** True for the first caller only, for `lifetimeMs`. */
  abstract claimCode(codeHash: string, lifetimeMs: number): Promise<boolean>;
}
