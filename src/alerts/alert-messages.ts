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

/** The id of an account's expiring alert at one lead time, the same on every replica. */
export function expiringAlertId(clientId: string, expiresAt: Date, leadMs: number): string {
  return `expiring:${clientId}:${expiresAt.getTime()}:${leadMs}`;
}

export function expiringAlert(clientId: string, expiresAt: Date, leadMs: number, now: Date, loginUrl: string): Alert {
  return {
    id: expiringAlertId(clientId, expiresAt, leadMs),
    type: 'expiring',
    accounts: [clientId],
    expiresAt,
    message: `The Pocketful token of ${clientId} expires in ${timeLeft(expiresAt, now)}, at ${formatIstForPeople(expiresAt)}. Log in again to keep trading: ${loginUrl}`,
    loginUrl,
  };
}

/**
 * The alert of a window for its accounts not yet announced: with one account, the same alert as when each account
 * had its own; with more, a digest that counts them and lists the first LISTED_ACCOUNTS.
 */
export function windowAlert(window: AlertWindow, accounts: string[], id: string, now: Date, loginUrl: string): Alert {
  const { type, expiresAt } = window;
  if (accounts.length === 1) {
    return type === 'expiring' ? expiringAlert(accounts[0], expiresAt, window.leadMs!, now, loginUrl) : expiredAlert(accounts[0], expiresAt, loginUrl);
  }
  const count = numbers.format(accounts.length);
  const message =
    type === 'expiring'
      ? `${count} Pocketful tokens expire in ${timeLeft(expiresAt, now)}, at ${formatIstForPeople(expiresAt)}: ${listed(accounts)}. Log in again to keep trading: ${loginUrl}`
      : `${count} Pocketful tokens expired at ${formatIstForPeople(expiresAt)}: ${listed(accounts)}. No service can trade these accounts until someone logs in: ${loginUrl}`;
  return { id, type, accounts, expiresAt, message, loginUrl };
}

export function expiredAlert(clientId: string, expiresAt: Date, loginUrl: string): Alert {
  return {
    id: `expired:${clientId}:${expiresAt.getTime()}`,
    type: 'expired',
    accounts: [clientId],
    expiresAt,
    message: `The Pocketful token of ${clientId} expired at ${formatIstForPeople(expiresAt)}. No service can trade ${clientId} until someone logs in: ${loginUrl}`,
    loginUrl,
  };
}

export function missingAlert(accounts: string[], check: DueCheck, loginUrl: string): Alert {
  const time = formatTimeOfDay(check.time);
  return {
    id: `missing:${check.date}T${time}`,
    type: 'missing',
    accounts,
    expiresAt: null,
    message: `No live Pocketful token at ${time} IST on ${check.date} for ${missingAccounts(accounts)}. Log in before the market opens: ${loginUrl}`,
    loginUrl,
  };
}

export function invalidAlert(event: TokenInvalidated, loginUrl: string): Alert {
  const { clientId, reportedBy, trigger, cause, at } = event;
  const asked = trigger === 'report' ? `reported by ${reportedBy}` : `verify asked by ${reportedBy}`;
  const what =
    cause === 'refused'
      ? `Pocketful refused the token of ${clientId}`
      : `Pocketful says the token stored for ${clientId} is another account's`;
  return {
    id: `invalid:${clientId}:${at.getTime()}`,
    type: 'invalid',
    accounts: [clientId],
    expiresAt: null,
    message: `${what} at ${formatIstForPeople(at)} (${asked}); the vault removed it. Log in again: ${loginUrl}`,
    loginUrl,
  };
}

export function storedAlert(clientId: string, issuedAt: Date, expiresAt: Date, loginUrl: string): Alert {
  return {
    id: `stored:${clientId}:${issuedAt.getTime()}`,
    type: 'stored',
    accounts: [clientId],
    expiresAt,
    message: `A token for ${clientId} was stored at ${formatIstForPeople(issuedAt)}; it is valid until ${formatIstForPeople(expiresAt)}. Logins: ${loginUrl}`,
    loginUrl,
  };
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
 * are grouped by their login link, so that one link (today's single broker) is written once.
 */
export function preopenAlert(check: DuePreopenAttempt, findings: PreopenFindings, loginUrlOf: (clientId: string) => string): Alert {
  const time = formatTimeOfDay(check.time);
  const { refused, missing, unknown } = findings;
  const parts: string[] = [];
  if (refused.length > 0) parts.push(`the broker refused the token${refused.length === 1 ? '' : 's'} of ${missingAccounts(refused)} (removed)`);
  if (missing.length > 0) parts.push(`no token for ${missingAccounts(missing)}`);
  if (unknown.length > 0) parts.push(`no answer from the broker for ${missingAccounts(unknown)}`);
  const accounts = [...refused, ...missing, ...unknown];
  const byLink = new Map<string, string[]>();
  for (const clientId of accounts) {
    const link = loginUrlOf(clientId);
    byLink.set(link, [...(byLink.get(link) ?? []), clientId]);
  }
  const links =
    byLink.size === 1
      ? [...byLink.keys()][0]
      : [...byLink].map(([link, ids]) => `${listed(ids)} at ${link}`).join('; ');
  const retry = check.attempt === 0 ? '' : ` (retry ${check.attempt})`;
  return {
    id: `preopen:${check.date}:${check.attempt}`,
    type: 'preopen',
    accounts,
    expiresAt: null,
    message: `Pre-open check at ${time} IST on ${check.date}${retry}: ${parts.join('; ')}. Log in before the market opens at 09:15: ${links}`,
    loginUrl: accounts.length > 0 ? loginUrlOf(accounts[0]) : '',
  };
}
