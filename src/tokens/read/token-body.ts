import { BrokerId } from '../../brokers/broker-adapter';
import { StoredToken } from '../stored-token';
import { secondsUntil, tokenRecordView, TokenRecordView } from '../token.views';

/** A token read's answer: the record with the token itself. */
export interface TokenView extends TokenRecordView {
  /** The broker whose token it is, so a consumer reading a bare (default broker's) account knows which. */
  broker: BrokerId;
  accessToken: string;
}

export const TOKEN_BODY_TYPE = 'application/json; charset=utf-8';

export function tokenView(token: StoredToken, now: Date, broker: BrokerId): TokenView {
  // The record's fields with the token second, where consumers have always found it.
  const { clientId, ...record } = tokenRecordView(token, now);
  return { clientId, broker, accessToken: token.accessToken, ...record };
}

/** A token's answer, kept with the second it was made for. */
interface Serialised {
  /** Everything but `expiresIn` and the closing brace: fixed for the token's life. */
  head: string;
  expiresIn: number;
  body: Buffer;
}

const SERIALISED = new WeakMap<StoredToken, Serialised>();

/**
 * The JSON of `TokenView`, as the bytes sent. Between two reads of a token only `expiresIn` changes, once a second:
 * the answer is encoded once a second per token, and every read within that second sends the same bytes.
 */
export function tokenViewBody(token: StoredToken, now: Date, broker: BrokerId): Buffer {
  const expiresIn = secondsUntil(token.expiresAt, now);
  let serialised = SERIALISED.get(token);
  if (serialised === undefined) {
    const { expiresIn: _expiresIn, ...fixed } = tokenView(token, now, broker);
    serialised = { head: JSON.stringify(fixed).slice(0, -1), expiresIn: -1, body: Buffer.alloc(0) };
    SERIALISED.set(token, serialised);
  }
  if (serialised.expiresIn !== expiresIn) {
    serialised.body = Buffer.from(`${serialised.head},"expiresIn":${expiresIn}}`);
    serialised.expiresIn = expiresIn;
  }
  return serialised.body;
}
