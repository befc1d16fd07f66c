import { formatIstForPeople } from '../clock/ist-time';
import { Alert } from './alert';
import { formatTimeOfDay } from '../clock/ist-time';
import { DueCheck, formatDuration } from './alert-schedule';

/**
 * Every alert in words an operator can act on from a phone: which account(s), when (in IST), and the link that
 * fixes it.
 */

export function expiringAlert(clientId: string, expiresAt: Date, leadMs: number, now: Date, loginUrl: string): Alert {
  const left = formatDuration(Math.max(60_000, Math.round((expiresAt.getTime() - now.getTime()) / 60_000) * 60_000));
  return {
    id: `expiring:${clientId}:${expiresAt.getTime()}:${leadMs}`,
    type: 'expiring',
    accounts: [clientId],
    expiresAt,
    message: `The Pocketful token of ${clientId} expires in ${left}, at ${formatIstForPeople(expiresAt)}. Log in again to keep trading: ${loginUrl}`,
    loginUrl,
  };
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
    message: `No live Pocketful token at ${time} IST on ${check.date} for ${accounts.join(', ')}. Log in before the market opens: ${loginUrl}`,
    loginUrl,
  };
}

export function invalidAlert(clientId: string, reportedBy: string, at: Date, loginUrl: string): Alert {
  return {
    id: `invalid:${clientId}:${at.getTime()}`,
    type: 'invalid',
    accounts: [clientId],
    expiresAt: null,
    message: `Pocketful refused the token of ${clientId} at ${formatIstForPeople(at)} (reported by ${reportedBy}); the vault removed it. Log in again: ${loginUrl}`,
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
