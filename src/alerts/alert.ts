/** The kinds of alert, each a reason for an operator to act (or, for `stored`, to relax). */
export type AlertType = 'expiring' | 'expired' | 'missing' | 'invalid' | 'stored';

/**
 * One alert, as every channel receives it. `id` is derived from what the alert is about (account, expiry, lead
 * time or check time), not drawn at random: every replica that finds the same alert due names it the same, so a
 * claim on the id in Redis lets exactly one of them send it, and a receiver can drop a repeat by id.
 */
export interface Alert {
  id: string;
  type: AlertType;
  accounts: string[];
  /** When the token(s) concerned expire(d), if the alert is about an expiry. */
  expiresAt: Date | null;
  message: string;
  loginUrl: string;
}
