import { formatIst } from '../clock/ist-time';
import { StoredToken } from './stored-token';
import { AccountStatus } from './tokens.service';

export interface TokenRecordView {
  clientId: string;
  tokenType: string;
  scope: string;
  source: string;
  issuedAt: string;
  expiresAt: string;
  expiresIn: number;
}

export interface TokenView extends TokenRecordView {
  accessToken: string;
}

function secondsUntil(instant: Date, now: Date): number {
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

/** A token's answer but for its last field, serialised at its first read: all that changes is `expiresIn`. */
const SERIALISED = new WeakMap<StoredToken, string>();

/**
 * The JSON of `TokenView`, built from the part that never changes and the seconds left: at market open a token is
 * read thousands of times a second, and each read would otherwise serialise the same seven fields again.
 */
export function tokenViewJson(token: StoredToken, now: Date): string {
  let head = SERIALISED.get(token);
  if (head === undefined) {
    const { expiresIn: _expiresIn, ...fixed } = tokenView(token, now);
    head = JSON.stringify(fixed).slice(0, -1);
    SERIALISED.set(token, head);
  }
  return `${head},"expiresIn":${secondsUntil(token.expiresAt, now)}}`;
}

export function tokenView(token: StoredToken, now: Date): TokenView {
  // The record's fields with the token second, where consumers have always found it.
  const { clientId, ...record } = tokenRecordView(token, now);
  return { clientId, accessToken: token.accessToken, ...record };
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
