"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.canonical = canonical;
exports.accountOf = accountOf;
/** The vault compares ids in upper case and broker names in lower case; so does the client, so `ya0002` and `YA0002` share a token. */
const upper = (text) => text.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
/**
 * An account as the vault writes it, as far as the client can tell without knowing the vault's default broker:
 * `zerodha:AB1234` (broker in lower case, id in upper case) or `YA0002`.
 */
function canonical(account, what = 'the account') {
    if (typeof account !== 'string' || account.trim() === '')
        throw new TypeError(`${what} must be a non-empty string, such as YA0002 or zerodha:AB1234`);
    const text = account.trim();
    const colon = text.indexOf(':');
    return colon === -1 ? upper(text) : `${text.slice(0, colon).toLowerCase()}:${upper(text.slice(colon + 1))}`;
}
/** `token('AB1234', { broker: 'zerodha' })` and `token('zerodha:AB1234')` name one account. */
function accountOf(account, broker) {
    let named = canonical(account);
    if (broker !== undefined) {
        if (typeof broker !== 'string' || !/^[a-z]+$/i.test(broker))
            throw new TypeError('broker must be a broker name, such as zerodha');
        const prefix = `${broker.toLowerCase()}:`;
        if (named.includes(':') && !named.startsWith(prefix))
            throw new TypeError(`the account ${named} names another broker than ${broker.toLowerCase()}`);
        if (!named.includes(':'))
            named = `${prefix}${named}`;
    }
    const colon = named.indexOf(':');
    const tokenPath = colon === -1 ? `/${encodeURIComponent(named)}` : `/${encodeURIComponent(named.slice(0, colon))}/${encodeURIComponent(named.slice(colon + 1))}`;
    return { key: named, tokenPath, reportPath: `/${encodeURIComponent(named)}` };
}
