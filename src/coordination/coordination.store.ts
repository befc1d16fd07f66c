/**
 * Short-lived keys that replicas use to agree on who does what: who sends an alert, who checks a reported token.
 * An abstract class as its own injection token, bound to Redis or to memory like the token store. Keys are whole
 * key names, made by RedisKeys.
 */
export abstract class CoordinationStore {
  /** Takes `key` for `ttlMs` if nobody holds it; true when this caller got it. */
  abstract acquire(key: string, ttlMs: number): Promise<boolean>;
  /** Overwrites `key` with a final value, kept `ttlMs`: a settled claim that nobody takes again. */
  abstract settle(key: string, value: string, ttlMs: number): Promise<void>;
  abstract read(key: string): Promise<string | null>;
  /** Gives back a claim still held (a lease), so that another replica may take it at once; a settled claim stays. */
  abstract release(key: string): Promise<void>;
  /** Of `members`, those the set at `setKey` does not hold, in the order given, and how many members it holds. */
  abstract notIn(setKey: string, members: readonly string[]): Promise<{ absent: string[]; size: number }>;
  /**
   * Settles `claimKey` and adds `members` to the set at `setKey` in one step, both kept `ttlMs`: whoever reads the
   * set sees the members exactly when the claim that covered them is settled.
   */
  abstract settleAdding(claimKey: string, value: string, setKey: string, members: readonly string[], ttlMs: number): Promise<void>;
  /** Adds one to a counter that starts a window of `windowMs` at its first hit; returns the count and ms left. */
  abstract count(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }>;
  /** The counter without adding to it. */
  abstract peek(key: string): Promise<{ count: number; resetInMs: number }>;
  /** Takes one back from a counter whose window is still running; never below zero, never starting a window. */
  abstract uncount(key: string): Promise<void>;
}
