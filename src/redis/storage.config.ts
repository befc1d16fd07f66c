import { IsIn, IsNotEmpty, IsOptional, IsString, IsUrl, Matches } from 'class-validator';
import { configSlice } from '../config/config-slice';
import { OptionalWholeNumber, splitList } from '../config/variables';

export type StorageKind = 'redis' | 'memory';

/** `host:port`, the host a name, an IPv4 address or a bracketed IPv6 one. */
const HOST_PORT = String.raw`(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):\d{1,5}`;
const HOST_PORT_LIST = new RegExp(String.raw`^\s*${HOST_PORT}(?:[\s,]+${HOST_PORT})*\s*$`);

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

  @OptionalWholeNumber(50, 60_000, '$property must be a whole number of milliseconds from 50 to 60000 (default: 1000)')
  REDIS_COMMAND_TIMEOUT_MS?: number;

  @IsOptional()
  @Matches(HOST_PORT_LIST, { message: '$property must be host:port pairs separated by commas, such as sentinel-1:26379,sentinel-2:26379' })
  REDIS_SENTINELS?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: '$property must be the name the sentinels monitor the master under (letters, digits, ".", "_", "-")' })
  REDIS_SENTINEL_NAME?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty({ message: '$property must not be empty' })
  REDIS_SENTINEL_PASSWORD?: string;
}

export interface SentinelAddress {
  host: string;
  port: number;
}

/** What a caller must give; the rest has the defaults below. */
type StorageValues = Pick<StorageSettings, 'kind' | 'redisUrl' | 'keyPrefix' | 'redisPassword'> & Partial<StorageSettings>;

const DEFAULT_COMMAND_TIMEOUT_MS = 1_000;

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
  /**
   * How long a Redis command may go unanswered before it fails (and its request answers 503): the deadline of a
   * token read, shared by every read of a batch, since a batch is one command.
   */
  readonly commandTimeoutMs: number = DEFAULT_COMMAND_TIMEOUT_MS;
  /** Sentinels to ask where the master is; none: REDIS_URL's host is the master. */
  readonly sentinels: readonly SentinelAddress[] = [];
  /** The name the sentinels monitor the master under (`sentinel monitor <name> …`). */
  readonly sentinelName: string | null = null;
  /** The sentinels' own password (their requirepass), apart from the data nodes' REDIS_PASSWORD. */
  readonly sentinelPassword: string | null = null;

  constructor(values: StorageValues) {
    Object.assign(this, values);
  }

  /**
   * Where the vault looks for Redis, as the logs name it: `127.0.0.1:6379` (with `/2` for a database other than 0),
   * or the sentinels and the master's name. Never the URL's user or password.
   */
  get address(): string {
    if (this.sentinels.length > 0) {
      return `the master ${this.sentinelName ?? '?'} of the sentinels ${this.sentinels.map(({ host, port }) => `${host}:${port}`).join(',')}`;
    }
    const url = new URL(this.redisUrl);
    const database = this.database;
    return `${url.hostname}:${url.port || '6379'}${database > 0 ? `/${database}` : ''}`;
  }

  /** The database REDIS_URL names by its path (`redis://host:6379/2`), 0 when it names none. */
  get database(): number {
    return databaseOf(this.redisUrl) ?? 0;
  }
}

/** The number in a URL's path, undefined for no path, NaN for a path that is not a database number. */
function databaseOf(url: string): number | undefined {
  const path = new URL(url).pathname.replace(/^\/+|\/+$/g, '');
  if (path === '') return undefined;
  return /^\d{1,5}$/.test(path) ? Number(path) : NaN;
}

function sentinelAddress(entry: string): SentinelAddress {
  const at = entry.lastIndexOf(':');
  return { host: entry.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(entry.slice(at + 1)) };
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
      commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS ?? DEFAULT_COMMAND_TIMEOUT_MS,
      sentinels: env.REDIS_SENTINELS ? splitList(env.REDIS_SENTINELS).map(sentinelAddress) : [],
      sentinelName: env.REDIS_SENTINEL_NAME ?? null,
      sentinelPassword: env.REDIS_SENTINEL_PASSWORD ?? null,
    }),
  conflicts: (settings) => {
    const problems: string[] = [];
    if (settings.redisPassword !== null && new URL(settings.redisUrl).password !== '') {
      problems.push('REDIS_PASSWORD and a password in REDIS_URL are both set: keep the password in one of them');
    }
    // ioredis would read a path it cannot parse as database 0: the vault would serve another database's tokens.
    if (Number.isNaN(databaseOf(settings.redisUrl))) {
      problems.push('REDIS_URL has a path that is not a database number: write redis://host:6379/2 for database 2, or no path for 0');
    }
    if (settings.sentinels.some((sentinel) => sentinel.port < 1 || sentinel.port > 65_535)) {
      problems.push('REDIS_SENTINELS has a port outside 1 to 65535');
    }
    if (settings.sentinels.length > 0 && settings.sentinelName === null) {
      problems.push('REDIS_SENTINELS needs REDIS_SENTINEL_NAME: the name the sentinels monitor the master under');
    }
    if (settings.sentinels.length === 0 && (settings.sentinelName !== null || settings.sentinelPassword !== null)) {
      problems.push('REDIS_SENTINEL_NAME and REDIS_SENTINEL_PASSWORD are only read with REDIS_SENTINELS: list the sentinels, or remove them');
    }
    return problems;
  },
});
