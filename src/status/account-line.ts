import { BrokerId } from '../brokers/broker-adapter';
import { AccountStatus } from '../tokens/tokens.service';
import { TokenSource } from '../tokens/stored-token';

/** The tokens' states, with `expiring` split out of `live`: a token that still works, but not for long. */
export type AccountLineState = 'live' | 'expiring' | 'expired' | 'missing';

/** Whose account it is, and where a person logs it in: its broker's login page under PUBLIC_URL. */
export interface AccountLogin {
  broker: BrokerId;
  loginUrl: string;
}

/** One account as the status page and `npm run status` show it. */
export interface AccountLine extends AccountLogin {
  clientId: string;
  state: AccountLineState;
  /** The vault is expected to keep a token for it (EXPECTED_ACCOUNTS, else ALLOWED_CLIENT_IDS, else every account). */
  expected: boolean;
  source: TokenSource | null;
  issuedAt: Date | null;
  expiresAt: Date | null;
  /** Seconds until the token expires, 0 unless it is live or expiring. */
  secondsLeft: number;
}

/** Expiring: live, with no more than `soonMs` left; the alerts' first warning comes at the same moment. */
export function accountLine(status: AccountStatus, now: Date, soonMs: number, expected: boolean, login: AccountLogin): AccountLine {
  const leftMs = status.state === 'live' && status.expiresAt ? Math.max(0, status.expiresAt.getTime() - now.getTime()) : 0;
  const state: AccountLineState = status.state === 'live' && leftMs <= soonMs ? 'expiring' : status.state;
  return {
    clientId: status.clientId,
    broker: login.broker,
    loginUrl: login.loginUrl,
    state,
    expected,
    source: status.source,
    issuedAt: status.issuedAt,
    expiresAt: status.expiresAt,
    secondsLeft: Math.floor(leftMs / 1000),
  };
}

/** Whether an account's token serves trading now. */
export const isUsable = (line: AccountLine): boolean => line.state === 'live' || line.state === 'expiring';
