import { IsIn, IsNotEmpty, IsOptional, IsString, IsUrl } from 'class-validator';
import { configSlice } from '../config/config-slice';

export type StorageKind = 'redis' | 'memory';

class StorageVariables {
  @IsOptional()
  @IsIn(['redis', 'memory'], { message: '$property must be redis or memory' })
  TOKEN_STORE?: StorageKind;

  @IsOptional()
  @IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['redis', 'rediss'] },
    { message: '$property must be a redis:// or rediss:// URL' },
  )
  REDIS_URL?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty({ message: '$property must not be empty (default: token-vault:)' })
  REDIS_KEY_PREFIX?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty({ message: '$property must not be empty' })
  REDIS_PASSWORD?: string;
}

/**
 * Where everything the vault keeps lives: Redis, shared by the replicas, or this process's memory (the demo). One
 * setting for every port: each feature's module binds its own adapter by it.
 */
export class StorageSettings {
  readonly kind!: StorageKind;
  readonly redisUrl!: string;
  readonly keyPrefix!: string;
  /** Redis's AUTH password, kept out of the URL so it can come from a secret of its own; null: the URL's, if any. */
  readonly redisPassword!: string | null;

  constructor(values: StorageSettings) {
    Object.assign(this, values);
  }
}

export const storageConfig = configSlice({
  settings: StorageSettings,
  variables: StorageVariables,
  build: (env) =>
    new StorageSettings({
      kind: env.TOKEN_STORE ?? 'redis',
      redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      keyPrefix: env.REDIS_KEY_PREFIX ?? 'token-vault:',
      redisPassword: env.REDIS_PASSWORD ?? null,
    }),
  conflicts: (settings) =>
    settings.redisPassword !== null && new URL(settings.redisUrl).password !== ''
      ? ['REDIS_PASSWORD and a password in REDIS_URL are both set: keep the password in one of them']
      : [],
});
