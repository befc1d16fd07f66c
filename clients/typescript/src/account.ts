/** An account as a caller names it: the id, and the broker when it is named (`zerodha:AB1234`, or `{ broker }`). */
export interface Account {
  /** `zerodha:AB1234`, or the bare id when no broker is named: what the cache keeps the account's token under. */
  key: string;
  /** The path of its token under `/v1/tokens`: `/YA0002`, `/zerodha/AB1234`. */
  tokenPath: string;
  /** The path of its report under `/v1/tokens`: the account in one segment, as that route takes it. */
  reportPath: string;
}

/** The vault compares ids in upper case and broker names in lower case; so does the client, so `ya0002` and `YA0002` share a token. */
const upper = (text: string): string => text.replace(/[a-z]+/g, (letters) => letters.toUpperCase());

/**
 * An account as the vault writes it, as far as the client can tell without knowing the vault's default broker:
 * `zerodha:AB1234` (broker in lower case, id in upper case) or `YA0002`.
 */
export function canonical(account: string, what = 'the account'): string {
  if (typeof account !== 'string' || account.trim() === '') throw new TypeError(`${what} must be a non-empty string, such as YA0002 or zerodha:AB1234`);
  const text = account.trim();
  const colon = text.indexOf(':');
  return colon === -1 ? upper(text) : `${text.slice(0, colon).toLowerCase()}:${upper(text.slice(colon + 1))}`;
}

/** `token('AB1234', { broker: 'zerodha' })` and `token('zerodha:AB1234')` name one account. */
export function accountOf(account: string, broker?: string): Account {
  let named = canonical(account);
  if (broker !== undefined) {
    if (typeof broker !== 'string' || !/^[a-z]+$/i.test(broker)) throw new TypeError('broker must be a broker name, such as zerodha');
    const prefix = `${broker.toLowerCase()}:`;
    if (named.includes(':') && !named.startsWith(prefix)) throw new TypeError(`the account ${named} names another broker than ${broker.toLowerCase()}`);
    if (!named.includes(':')) named = `${prefix}${named}`;
  }
  const colon = named.indexOf(':');
  const tokenPath = colon === -1 ? `/${encodeURIComponent(named)}` : `/${encodeURIComponent(named.slice(0, colon))}/${encodeURIComponent(named.slice(colon + 1))}`;
  return { key: named, tokenPath, reportPath: `/${encodeURIComponent(named)}` };
}
