import type { BrokerId } from '../brokers/broker-adapter';
import { formatIst } from '../clock/ist-time';
import { StoredToken } from './stored-token';
import { AccountStatus } from './tokens.service';
import type { Verification, VerificationReason } from './token-verification';

export interface TokenRecordView {
  clientId: string;
  tokenType: string;
  scope: string;
  source: string;
  issuedAt: string;
  expiresAt: string;
  expiresIn: number;
}

/** Whole seconds left before `instant`, never below 0. */
export function secondsUntil(instant: Date, now: Date): number {
  return Math.max(0, Math.floor((instant.getTime() - now.getTime()) / 1000));
}

/** The stored record without its token: what an admin sees after an import. */
export function tokenRecordView(token: StoredToken, now: Date): TokenRecordView {
  return {
    clientId: token.clientId,
    tokenType: token.tokenType,
    scope: token.scope,
    source: token.source,
    issuedAt: formatIst(token.issuedAt),
    expiresAt: formatIst(token.expiresAt),
    expiresIn: secondsUntil(token.expiresAt, now),
  };
}

/** An import's answer: the record, with the broker whose token it is. */
export interface ImportedTokenView extends TokenRecordView {
  broker: BrokerId;
}

export function importedTokenView(token: StoredToken, now: Date, broker: BrokerId): ImportedTokenView {
  const { clientId, ...record } = tokenRecordView(token, now);
  return { clientId, broker, ...record };
}

export function accountView(status: AccountStatus, now: Date) {
  return {
    clientId: status.clientId,
    state: status.state,
    source: status.source,
    issuedAt: status.issuedAt && formatIst(status.issuedAt),
    expiresAt: status.expiresAt && formatIst(status.expiresAt),
    expiresIn: status.state === 'live' && status.expiresAt ? secondsUntil(status.expiresAt, now) : 0,
  };
}

/** A verify's answer: the verdict, why when it is not true, and when the broker was asked. */
export interface VerificationView {
  clientId: string;
  valid: boolean | null;
  reason?: VerificationReason;
  checkedAt: string;
}

export function verificationView({ clientId, valid, reason, checkedAt }: Verification): VerificationView {
  return reason === undefined ? { clientId, valid, checkedAt: formatIst(checkedAt) } : { clientId, valid, reason, checkedAt: formatIst(checkedAt) };
}

/** One account in a verify-all's answer: its checkedAt is the answer's. */
export type VerificationResultView = Omit<VerificationView, 'checkedAt'>;

export interface VerifyAllView {
  checkedAt: string;
  results: VerificationResultView[];
}

export function verifyAllView(results: Verification[], now: Date): VerifyAllView {
  return {
    checkedAt: formatIst(now),
    results: results.map(({ clientId, valid, reason }) => (reason === undefined ? { clientId, valid } : { clientId, valid, reason })),
  };
}
