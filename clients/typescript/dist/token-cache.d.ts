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
     * So that a fetch begun before a drop cannot put back what was dropped: a count for each name, bumped by a drop of
     * that name (a 404, a refusal, a report), and one for every account, bumped by a drop by the vault's name of an
     * account (an event), which cannot tell which fetch in flight is for it. A drop of one name leaves the others'
     * fetches to be kept.
     */
    private readonly epochs;
    private generation;
    constructor(marginMs: number);
    /** A token to hand out without asking the vault: more than the margin from its end. */
    fresh(key: string, now: number): VaultToken | undefined;
    /** A token not yet dead, margin or not: what a failed refresh may still hand out. */
    live(key: string, now: number): VaultToken | undefined;
    /** What a fetch of `key` starting now must show `keep` for its token to be kept. */
    ticket(key: string): string;
    keep(key: string, token: VaultToken, sentAt: number, ticket: string): void;
    /** The token kept under the caller's name of an account. */
    drop(key: string): void;
    /** The tokens of an account as the vault names it (an event's `clientId`), under whatever name they were asked for. */
    dropAccount(clientId: string): void;
    dropAll(): void;
}
