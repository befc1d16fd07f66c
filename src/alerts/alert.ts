/** The kinds of alert, each a reason for an operator to act (or, for `stored`, to relax). */
export const ALERT_TYPES = ['expiring', 'expired', 'missing', 'invalid', 'stored', 'preopen'] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

/**
 * One alert, as every channel receives it. `id` is derived from what the alert is about (account, expiry, lead
 * time or check time), not drawn at random: every replica that finds the same alert due names it the same, so a
 * claim on the id in Redis lets exactly one of them send it, and a receiver can drop a repeat by id.
 */
export interface Alert {
  id: string;
  type: AlertType;
  /** Every account the alert is about; a digest (two or more) shows only the first LISTED_ACCOUNTS of them. */
  accounts: string[];
  /** When the token(s) concerned expire(d), if the alert is about an expiry. */
  expiresAt: Date | null;
  message: string;
  /** Where to log in: the (first) account's broker's login page. */
  loginUrl: string;
  /** The broker's name when every account of the alert is one broker's; null when they are several brokers'. */
  broker: string | null;
}

/**
 * A digest names this many accounts in its message and in a webhook's `accounts`, and says how many there are in
 * all: a message about ten thousand accounts would be read by nobody, and Telegram refuses more than 4,096 characters.
 */
export const LISTED_ACCOUNTS = 50;

/** An alert about two or more accounts: one per channel for every account of a kind due in the same window. */
export function isDigest(alert: Alert): boolean {
  return alert.accounts.length > 1;
}
