import { VaultToken } from './vault-answers';
/**
 * The tokens this client holds, each with the moment it surely expires on the client's own monotonic clock:
 * the time its request was sent plus the `expiresIn` the vault answered. Counting from the sending (not the
 * answer, nor the vault's `expiresAt`) keeps a slow answer or a host clock that is off from stretching a token's
 * life past its real end.
 */
export declare class TokenCache {
    private readonly marginMs;
    /** By the account as the caller named it (`Account.key`). */
    private readonly entries;
    /**
     * Bumped by each drop, so that a fetch begun before a drop cannot put back what was dropped. One count for every
     * account: a drop by the vault's name of an account (an event) cannot tell which fetch in flight is for it.
     */
    private generation;
    constructor(marginMs: number);
    /** A token to hand out without asking the vault: more than the margin from its end. */
    fresh(key: string, now: number): VaultToken | undefined;
    /** A token not yet dead, margin or not: what a failed refresh may still hand out. */
    live(key: string, now: number): VaultToken | undefined;
    /** What a fetch starting now must show `keep` for its token to be kept. */
    ticket(): number;
    keep(key: string, token: VaultToken, sentAt: number, ticket: number): void;
    /** The token kept under the caller's name of an account. */
    drop(key: string): void;
    /** The tokens of an account as the vault names it (an event's `clientId`), under whatever name they were asked for. */
    dropAccount(clientId: string): void;
    dropAll(): void;
}
