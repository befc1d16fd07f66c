import { formatIstForPeople } from '../clock/ist-time';
import { Alert, LISTED_ACCOUNTS } from './alert';
import { formatTimeOfDay } from '../clock/ist-time';
import type { TokenInvalidated } from '../tokens/token-events';
import { DueCheck, DuePreopenAttempt, formatDuration } from './alert-schedule';
import { AlertWindow } from './alert-window';

/**
 * Every alert in words an operator can act on from a phone: which account(s), when (in IST), and the link that
 * fixes it.
 */

const numbers = new Intl.NumberFormat('en-US');

/** Each account's broker, by name and by the vault's login page for it (AlertSettings is one). */
export interface AccountLinks {
  loginUrlOf(account: string): string;
  brokerNameOf(account: string): string;
}

/** The id of an account's expiring alert at one lead time, the same on every replica. */
export function expiringAlertId(clientId: string, expiresAt: Date, leadMs: number): string {
  return `expiring:${clientId}:${expiresAt.getTime()}:${leadMs}`;
}

export function expiringAlert(clientId: string, expiresAt: Date, leadMs: number, now: Date, links: AccountLinks): Alert {
  const loginUrl = links.loginUrlOf(clientId);
  const broker = links.brokerNameOf(clientId);
  return {
    id: expiringAlertId(clientId, expiresAt, leadMs),
    type: 'expiring',
    accounts: [clientId],
    expiresAt,
    message: `The ${broker} token of ${clientId} expires in ${timeLeft(expiresAt, now)}, at ${formatIstForPeople(expiresAt)}. Log in again to keep trading: ${loginUrl}`,
    loginUrl,
    broker,
  };
}

/**
 * The alert of a window for its accounts not yet announced: with one account, the same alert as when each account
 * had its own; with more, a digest that counts them and lists the first LISTED_ACCOUNTS.
 */
export function windowAlert(window: AlertWindow, accounts: string[], id: string, now: Date, links: AccountLinks): Alert {
  const { type, expiresAt } = window;
  if (accounts.length === 1) {
    return type === 'expiring' ? expiringAlert(accounts[0], expiresAt, window.leadMs!, now, links) : expiredAlert(accounts[0], expiresAt, links);
  }
  const count = numbers.format(accounts.length);
  const broker = sharedBroker(accounts, links);
  const tokens = broker === null ? 'tokens' : `${broker} tokens`;
  const where = loginLinks(accounts, links);
  const message =
    type === 'expiring'
      ? `${count} ${tokens} expire in ${timeLeft(expiresAt, now)}, at ${formatIstForPeople(expiresAt)}: ${listed(accounts)}. Log in again to keep trading: ${where}`
      : `${count} ${tokens} expired at ${formatIstForPeople(expiresAt)}: ${listed(accounts)}. No service can trade these accounts until someone logs in: ${where}`;
  return { id, type, accounts, expiresAt, message, loginUrl: links.loginUrlOf(accounts[0]), broker };
}

export function expiredAlert(clientId: string, expiresAt: Date, links: AccountLinks): Alert {
  const loginUrl = links.loginUrlOf(clientId);
  const broker = links.brokerNameOf(clientId);
  return {
    id: `expired:${clientId}:${expiresAt.getTime()}`,
    type: 'expired',
    accounts: [clientId],
    expiresAt,
    message: `The ${broker} token of ${clientId} expired at ${formatIstForPeople(expiresAt)}. No service can trade ${clientId} until someone logs in: ${loginUrl}`,
    loginUrl,
    broker,
  };
}

/** `defaultLoginUrl`: the link of a check that finds no account (only its id is used then). */
export function missingAlert(accounts: string[], check: DueCheck, links: AccountLinks, defaultLoginUrl: string): Alert {
  const time = formatTimeOfDay(check.time);
  const broker = sharedBroker(accounts, links);
  const token = broker === null ? 'token' : `${broker} token`;
  return {
    id: `missing:${check.date}T${time}`,
    type: 'missing',
    accounts,
    expiresAt: null,
    message: `No live ${token} at ${time} IST on ${check.date} for ${missingAccounts(accounts)}. Log in before the market opens: ${loginLinks(accounts, links)}`,
    loginUrl: accounts.length > 0 ? links.loginUrlOf(accounts[0]) : defaultLoginUrl,
    broker,
  };
}

export function invalidAlert(event: TokenInvalidated, links: AccountLinks): Alert {
  const { clientId, reportedBy, trigger, cause, at } = event;
  const broker = links.brokerNameOf(clientId);
  const loginUrl = links.loginUrlOf(clientId);
  const asked = trigger === 'report' ? `reported by ${reportedBy}` : `verify asked by ${reportedBy}`;
  const what =
    cause === 'refused'
      ? `${broker} refused the token of ${clientId}`
      : `${broker} says the token stored for ${clientId} is another account's`;
  return {
    id: `invalid:${clientId}:${at.getTime()}`,
    type: 'invalid',
    accounts: [clientId],
    expiresAt: null,
    message: `${what} at ${formatIstForPeople(at)} (${asked}); the vault removed it. Log in again: ${loginUrl}`,
    loginUrl,
    broker,
  };
}

export function storedAlert(clientId: string, issuedAt: Date, expiresAt: Date, links: AccountLinks): Alert {
  const loginUrl = links.loginUrlOf(clientId);
  return {
    id: `stored:${clientId}:${issuedAt.getTime()}`,
    type: 'stored',
    accounts: [clientId],
    expiresAt,
    message: `A token for ${clientId} was stored at ${formatIstForPeople(issuedAt)}; it is valid until ${formatIstForPeople(expiresAt)}. Logins: ${loginUrl}`,
    loginUrl,
    broker: links.brokerNameOf(clientId),
  };
}

/** The name of the one broker of all the accounts, or null when they are several brokers' (or none). */
function sharedBroker(accounts: readonly string[], links: AccountLinks): string | null {
  const names = new Set(accounts.map((account) => links.brokerNameOf(account)));
  return names.size === 1 ? [...names][0] : null;
}

/**
 * Where to log the accounts in: one link when they share it, else each link after the accounts it is for (at most
 * LISTED_ACCOUNTS of them each), so that a message about several brokers' accounts sends each to its own page.
 */
function loginLinks(accounts: readonly string[], links: AccountLinks): string {
  const byLink = new Map<string, string[]>();
  for (const account of accounts) {
    const link = links.loginUrlOf(account);
    const ids = byLink.get(link);
    if (ids === undefined) byLink.set(link, [account]);
    else ids.push(account);
  }
  if (byLink.size <= 1) return [...byLink.keys()][0] ?? '';
  return [...byLink].map(([link, ids]) => `${listed(ids)} at ${link}`).join('; ');
}

/** Rounded to the minute, and never "0 min" for a token that still has seconds to live. */
function timeLeft(expiresAt: Date, now: Date): string {
  return formatDuration(Math.max(60_000, Math.round((expiresAt.getTime() - now.getTime()) / 60_000) * 60_000));
}

/** `A, B, C`, or past LISTED_ACCOUNTS, the first of them `and 9,950 more`. */
function listed(accounts: readonly string[]): string {
  if (accounts.length <= LISTED_ACCOUNTS) return accounts.join(', ');
  return `${accounts.slice(0, LISTED_ACCOUNTS).join(', ')} and ${numbers.format(accounts.length - LISTED_ACCOUNTS)} more`;
}

/** As it always read for a few accounts; counted first when the list is cut. */
function missingAccounts(accounts: readonly string[]): string {
  return accounts.length <= LISTED_ACCOUNTS ? accounts.join(', ') : `${numbers.format(accounts.length)} accounts: ${listed(accounts)}`;
}

/** What one attempt of the pre-open check has to tell: each list sorted, each account in one of them. */
export interface PreopenFindings {
  refused: string[];
  missing: string[];
  /** Still without a verdict after the last retry: told only then. */
  unknown: string[];
}

/**
 * The day's pre-open check in one message: the tokens the broker refused (already removed), the expected accounts
 * with no token, and, after the last retry, those the broker gave no verdict on; then where to log each in. Accounts
 * are grouped by their login link, so that one broker's link is written once.
 */
export function preopenAlert(check: DuePreopenAttempt, findings: PreopenFindings, accountLinks: AccountLinks): Alert {
  const time = formatTimeOfDay(check.time);
  const { refused, missing, unknown } = findings;
  const parts: string[] = [];
  if (refused.length > 0) parts.push(`the broker refused the token${refused.length === 1 ? '' : 's'} of ${missingAccounts(refused)} (removed)`);
  if (missing.length > 0) parts.push(`no token for ${missingAccounts(missing)}`);
  if (unknown.length > 0) parts.push(`no answer from the broker for ${missingAccounts(unknown)}`);
  const accounts = [...refused, ...missing, ...unknown];
  const links = loginLinks(accounts, accountLinks);
  const retry = check.attempt === 0 ? '' : ` (retry ${check.attempt})`;
  return {
    id: `preopen:${check.date}:${check.attempt}`,
    type: 'preopen',
    accounts,
    expiresAt: null,
    message: `Pre-open check at ${time} IST on ${check.date}${retry}: ${parts.join('; ')}. Log in before the market opens at 09:15: ${links}`,
    loginUrl: accounts.length > 0 ? accountLinks.loginUrlOf(accounts[0]) : '',
    broker: sharedBroker(accounts, accountLinks),
  };
}
