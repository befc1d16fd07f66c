/** An account as a caller names it: the id, and the broker when it is named (`zerodha:AB1234`, or `{ broker }`). */
export interface Account {
    /** `zerodha:AB1234`, or the bare id when no broker is named: what the cache keeps the account's token under. */
    key: string;
    /** The path of its token under `/v1/tokens`: `/YA0002`, `/zerodha/AB1234`. */
    tokenPath: string;
    /** The path of its report under `/v1/tokens`: the account in one segment, as that route takes it. */
    reportPath: string;
}
/**
 * An account as the vault writes it, as far as the client can tell without knowing the vault's default broker:
 * `zerodha:AB1234` (broker in lower case, id in upper case) or `YA0002`.
 */
export declare function canonical(account: string, what?: string): string;
/** `token('AB1234', { broker: 'zerodha' })` and `token('zerodha:AB1234')` name one account. */
export declare function accountOf(account: string, broker?: string): Account;
