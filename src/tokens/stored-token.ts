/** How a token reached the vault: through the OAuth2 login, or pasted from Pocketful's dashboard. */
export type TokenSource = 'login' | 'import';

export interface StoredToken {
  clientId: string;
  accessToken: string;
  tokenType: string;
  scope: string;
  issuedAt: Date;
  expiresAt: Date;
  source: TokenSource;
  /** Names the token in the audit trail without revealing it (crypto/token-fingerprint.ts), made once when stored. */
  fingerprint: string;
}

/** What the vault remembers of an account's last token, without the token. */
export interface AccountRecord {
  clientId: string;
  issuedAt: Date;
  expiresAt: Date;
  source: TokenSource;
  /** A token is in the store now (it may still be past its expiry by a clock skew of the store's host). */
  present: boolean;
}
