import { IsOptional, Validate, ValidateIf, ValidationArguments, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';
import { configSlice } from '../config/config-slice';
import { splitList } from '../config/variables';
import { EncryptionKey, KEY_BYTES, keyIdOf } from './token-cipher';

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64 = /^[A-Za-z0-9+/=_-]+$/;
const isKey = (text: string) => BASE64.test(text) && Buffer.from(text, 'base64').length === KEY_BYTES;

@ValidatorConstraint({ name: 'encryptionKey' })
class IsEncryptionKey implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && isKey(value);
  }
  defaultMessage(args: ValidationArguments): string {
    if (args.value === undefined) {
      return `${args.property} (or VAULT_ENCRYPTION_KEYS) must be set when TOKEN_STORE is redis: ${KEY_BYTES} random bytes in base64 (make one with: openssl rand -base64 32)`;
    }
    return `${args.property} must be ${KEY_BYTES} random bytes in base64 (make one with: openssl rand -base64 32)`;
  }
}

/** `id:base64,id:base64`, as VAULT_ENCRYPTION_KEYS holds them (validated before). */
export function parseKeyList(value: string): EncryptionKey[] {
  return splitList(value).map((entry) => {
    const colon = entry.indexOf(':');
    return { id: entry.slice(0, colon), key: Buffer.from(entry.slice(colon + 1), 'base64') };
  });
}

@ValidatorConstraint({ name: 'encryptionKeyList' })
class IsEncryptionKeyList implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string') return false;
    const entries = splitList(value);
    const ids = new Set<string>();
    for (const entry of entries) {
      const colon = entry.indexOf(':');
      const id = entry.slice(0, colon);
      if (colon < 1 || !KEY_ID.test(id) || ids.has(id) || !isKey(entry.slice(colon + 1))) return false;
      ids.add(id);
    }
    return entries.length > 0;
  }
  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be id:key pairs, comma-separated, each id unique (letters, digits, - or _) and each key ${KEY_BYTES} random bytes in base64; the first key encrypts`;
  }
}

class KeyringVariables {
  /** Read here only to know whether a key is needed: TOKEN_STORE belongs to the storage slice. */
  TOKEN_STORE?: string;

  @ValidateIf(
    (env: KeyringVariables) =>
      ((env.TOKEN_STORE ?? 'redis') === 'redis' && env.VAULT_ENCRYPTION_KEYS === undefined) || env.VAULT_ENCRYPTION_KEY !== undefined,
  )
  @Validate(IsEncryptionKey)
  VAULT_ENCRYPTION_KEY?: string;

  @IsOptional()
  @Validate(IsEncryptionKeyList)
  VAULT_ENCRYPTION_KEYS?: string;
}

/** The keys that seal tokens at rest, the sealing key first; empty with the memory store and no key given. */
export class KeyringSettings {
  constructor(readonly keys: readonly EncryptionKey[]) {}

  get sealingKey(): EncryptionKey | undefined {
    return this.keys[0];
  }
}

export const keyringConfig = configSlice({
  settings: KeyringSettings,
  variables: KeyringVariables,
  build: (env) => new KeyringSettings(keyringFrom(env)),
});

/**
 * VAULT_ENCRYPTION_KEYS (`id:base64,…`, the first seals) and the single VAULT_ENCRYPTION_KEY, known by an id derived
 * from it. With both, the single key stays readable behind the list: the way from one key to a rotation.
 */
function keyringFrom(env: KeyringVariables): EncryptionKey[] {
  const ring = env.VAULT_ENCRYPTION_KEYS ? parseKeyList(env.VAULT_ENCRYPTION_KEYS) : [];
  if (env.VAULT_ENCRYPTION_KEY) {
    const key = Buffer.from(env.VAULT_ENCRYPTION_KEY, 'base64');
    const id = keyIdOf(key);
    if (!ring.some((entry) => entry.id === id || entry.key.equals(key))) ring.push({ id, key });
  }
  return ring;
}
