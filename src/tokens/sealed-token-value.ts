import { SealedEnvelope, TokenCipher, TokenDecryptionError } from '../crypto/token-cipher';
import { StoredToken, TokenSource } from './stored-token';
import { StoredValueError } from './stored-value-error';

/** What is sealed: everything of the token that is secret or that a reader must be able to trust. */
interface SealedFields {
  accessToken: string;
  tokenType: string;
  scope: string;
  issuedAt: string;
  expiresAt: string;
  source: TokenSource;
}

/**
 * The Redis value of a token: the sealed envelope, and beside it, in the clear, its fingerprint (`fp`, for the
 * audit entry of a read) and its expiry (`exp`, ms), so that the read script can record a read and refuse an
 * expired token without the key. Neither is trusted for serving: the sealed fields say when the token dies.
 */
export interface TokenValue extends SealedEnvelope {
  fp: string;
  exp: number;
}

export function sealTokenValue(token: StoredToken, cipher: TokenCipher): string {
  const sealed: SealedFields = {
    accessToken: token.accessToken,
    tokenType: token.tokenType,
    scope: token.scope,
    issuedAt: token.issuedAt.toISOString(),
    expiresAt: token.expiresAt.toISOString(),
    source: token.source,
  };
  return JSON.stringify(withBeside(cipher.seal(JSON.stringify(sealed), token.clientId), token.fingerprint, token.expiresAt.getTime()));
}

export function openTokenValue(raw: string, clientId: string, cipher: TokenCipher): StoredToken {
  const value = parseValue(raw, clientId);
  const fields = parseJson<SealedFields>(openEnvelope(value, clientId, cipher), clientId);
  return {
    clientId,
    accessToken: fields.accessToken,
    tokenType: fields.tokenType,
    scope: fields.scope,
    issuedAt: new Date(fields.issuedAt),
    expiresAt: new Date(fields.expiresAt),
    source: fields.source,
    fingerprint: typeof value.fp === 'string' ? value.fp : '',
  };
}

/** The same token sealed again under the cipher's sealing key, with what stands beside it kept; null if already so. */
export function resealTokenValue(raw: string, clientId: string, cipher: TokenCipher): string | null {
  const value = parseValue(raw, clientId);
  if (value.kid === cipher.keyId) return null;
  const plain = openEnvelope(value, clientId, cipher);
  return JSON.stringify(withBeside(cipher.seal(plain, clientId), value.fp, value.exp));
}

/** The key id that sealed a value, without opening it. */
export function sealingKeyOf(raw: string, clientId: string): string {
  return parseValue(raw, clientId).kid;
}

function withBeside(envelope: SealedEnvelope, fingerprint: string, expiresAtMs: number): TokenValue {
  return { ...envelope, fp: fingerprint, exp: expiresAtMs };
}

function openEnvelope(envelope: SealedEnvelope, clientId: string, cipher: TokenCipher): string {
  try {
    return cipher.open(envelope, clientId);
  } catch (error) {
    throw new StoredValueError(clientId, error instanceof TokenDecryptionError ? error.keyId : undefined);
  }
}

function parseValue(raw: string, clientId: string): TokenValue {
  return parseJson<TokenValue>(raw, clientId);
}

function parseJson<T>(raw: string, clientId: string): T {
  try {
    return JSON.parse(raw) as T;
  } catch {
    throw new StoredValueError(clientId);
  }
}
