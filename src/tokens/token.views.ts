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

/** A token's answer, kept with the second it was made for. */
interface Serialised {
  /** Everything but `expiresIn` and the closing brace: fixed for the token's life. */
  head: string;
  expiresIn: number;
  body: Buffer;
}

const SERIALISED = new WeakMap<StoredToken, Serialised>();

/** The type of the bytes tokenViewBody makes, for both ways a read is answered (the controller, the read lane). */
export const TOKEN_BODY_TYPE = 'application/json; charset=utf-8';

/**
 * The JSON of `TokenView`, as the bytes sent. At market open a token is read thousands of times a second, and all
 * that changes from read to read is `expiresIn`, once a second: the answer is encoded once a second per token, and
 * every read within that second sends the same bytes, with no string to join, measure and encode again.
 */
export function tokenViewBody(token: StoredToken, now: Date): Buffer {
  const expiresIn = secondsUntil(token.expiresAt, now);
  let serialised = SERIALISED.get(token);
  if (serialised === undefined) {
    const { expiresIn: _expiresIn, ...fixed } = tokenView(token, now);
    serialised = { head: JSON.stringify(fixed).slice(0, -1), expiresIn: -1, body: Buffer.alloc(0) };
    SERIALISED.set(token, serialised);
  }
  if (serialised.expiresIn !== expiresIn) {
    serialised.body = Buffer.from(`${serialised.head},"expiresIn":${expiresIn}}`);
    serialised.expiresIn = expiresIn;
  }
  return serialised.body;
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
