/** `GET /v1/tokens/:clientId`: a live token and what the vault knows of it. */
export interface VaultToken {
    /** The account, as the vault writes it: `YA0002` for the default broker's, `zerodha:AB1234` for another's. */
    clientId: string;
    /** The broker whose token it is (`pocketful`, `zerodha`, `upstox`, `fyers`, `dhan`); a vault from before brokers were named only had Pocketful's. */
    broker: string;
    accessToken: string;
    tokenType: string;
    scope: string;
    /** `login` or `import`. */
    source: string;
    /** When the vault stored it (the vault writes it in India's time, `2026-11-23T08:55:12+05:30`). */
    issuedAt: Date;
    /** When it stops working, as the vault knows it; the cache counts its life by `expiresIn` instead. */
    expiresAt: Date;
    /** Seconds left: as the vault said, or for a cached token, as this client counts them. */
    expiresIn: number;
}
/** `POST /v1/tokens/:clientId/report-invalid`: what the vault found when it asked Pocketful. */
export interface InvalidReport {
    clientId: string;
    /** `invalid`: Pocketful refused it and the vault removed it; `live`: Pocketful accepts it; `checking`: in progress. */
    verdict: 'invalid' | 'live' | 'checking';
    /** False when this is the verdict of a recent check, not a new one. */
    checked: boolean;
    /** Seconds until the vault will ask Pocketful about this account again. */
    nextCheckIn: number;
}
/** An instant the vault wrote (ISO-8601 with its offset), or null when it is not one. */
export declare function instantOf(value: unknown): Date | null;
/** The token in an answer, or null when the answer is not the vault's token shape. */
export declare function tokenOf(body: unknown): VaultToken | null;
export declare function reportOf(body: unknown): InvalidReport | null;
