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
 * The Redis value of a token: `v2:<expiry ms>:<fingerprint>:<sealed envelope as JSON>`. The expiry and the
 * fingerprint stand in the clear ahead of the envelope, where the read script finds them with an anchored match
 * (an unanchored one over the whole value cost Redis as much as the rest of the read), to refuse an expired token
 * and name the token in the audit entry without the key. Neither is trusted for serving: the sealed fields say when
 * the token dies. Values of the first format (the envelope as JSON with `fp` and `exp` inside) are still read.
 */
export interface TokenValue extends SealedEnvelope {
  fp: string;
  exp: number;
}

const PREFIXED = /^v2:(\d+):([A-Za-z0-9_-]*):/;

export function sealTokenValue(token: StoredToken, cipher: TokenCipher): string {
  const sealed: SealedFields = {
    accessToken: token.accessToken,
    tokenType: token.tokenType,
    scope: token.scope,
    issuedAt: token.issuedAt.toISOString(),
    expiresAt: token.expiresAt.toISOString(),
    source: token.source,
  };
  return format(cipher.seal(JSON.stringify(sealed), token.clientId), token.fingerprint, token.expiresAt.getTime());
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
  return format(cipher.seal(plain, clientId), value.fp, value.exp);
}

/** The key id that sealed a value, without opening it. */
export function sealingKeyOf(raw: string, clientId: string): string {
  return parseValue(raw, clientId).kid;
}

function format(envelope: SealedEnvelope, fingerprint: string, expiresAtMs: number): string {
  return `v2:${expiresAtMs}:${fingerprint}:${JSON.stringify(envelope)}`;
}

function openEnvelope(envelope: SealedEnvelope, clientId: string, cipher: TokenCipher): string {
  try {
    return cipher.open(envelope, clientId);
  } catch (error) {
    throw new StoredValueError(clientId, error instanceof TokenDecryptionError ? error.keyId : undefined);
  }
}

export function parseValue(raw: string, clientId: string): TokenValue {
  const prefix = PREFIXED.exec(raw);
  if (!prefix) return parseJson<TokenValue>(raw, clientId);
  return { ...parseJson<SealedEnvelope>(raw.slice(prefix[0].length), clientId), exp: Number(prefix[1]), fp: prefix[2] };
}

function parseJson<T>(raw: string, clientId: string): T {
  try {
    return JSON.parse(raw) as T;
  } catch {
    throw new StoredValueError(clientId);
  }
}
