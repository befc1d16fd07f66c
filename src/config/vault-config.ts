import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { DailyCutoff } from '../tokens/daily-cutoff';
import { normalizeClientId } from '../tokens/client-id';
import { EncryptionKey, keyIdOf } from '../crypto/token-cipher';
import { Environment, parseKeyList, splitList } from './environment';
import { AlertSettings } from '../alerts/alert-settings';
import { alertSettingsFrom } from '../alerts/alert-settings.factory';

export const DEFAULT_PORT = 5000;
const SANDBOX_APP_ID = 'sandbox-app';
const SANDBOX_APP_SECRET = 'sandbox-secret';

export interface HttpSettings {
  host: string;
  port: number;
  /** Fastify's trustProxy: whose X-Forwarded-For to believe for the caller's address (audit, failed-auth limits). */
  trustProxy: boolean | number | string;
}

export interface BrokerSettings {
  baseUrl: string;
  appId: string;
  appSecret: string;
  redirectUrl: string;
  scope: string;
  timeoutMs: number;
  /** Serve the built-in stand-in for Pocketful under /sandbox. */
  sandbox: boolean;
}

export interface TokenSettings {
  cutoff: DailyCutoff;
  /** null: any account may store a token. */
  allowedClientIds: readonly string[] | null;
}

/** Who may use the browser routes (start a login, see its result): ADMIN_AUTH. */
export type OperatorAuthSettings =
  | { kind: 'none' }
  | { kind: 'basic'; user: string; passwordSha256: string }
  | { kind: 'header'; header: string; allowed: string[] | null };

export interface RateLimitSettings {
  /** Requests per minute for each service client (or, before authentication, each address). */
  perMinute: number;
  /** Failed authentications per minute from one address before it is refused for the rest of the minute. */
  authFailuresPerMinute: number;
}

export interface AuditSettings {
  /** The stream is trimmed to about this many entries. */
  maxLength: number;
  /** A token read whose audit entry cannot be written fails (as Vault does) rather than go unrecorded. */
  failClosed: boolean;
}

export interface StoreSettings {
  kind: 'redis' | 'memory';
  redisUrl: string;
  keyPrefix: string;
  /** The keyring, the sealing key first; empty with the memory store. */
  encryptionKeys: EncryptionKey[];
}

/**
 * The whole configuration, validated and typed, injected by its class. Built once from the environment by
 * `loadVaultConfig`, or directly by tests.
 */
export class VaultConfig {
  readonly http: HttpSettings;
  readonly broker: BrokerSettings;
  readonly tokens: TokenSettings;
  readonly store: StoreSettings;
  readonly clientsFile: string | null;
  readonly logLevel: string;
  readonly alerts: AlertSettings;
  readonly audit: AuditSettings;
  readonly rateLimits: RateLimitSettings;
  readonly operatorAuth: OperatorAuthSettings;

  constructor(settings: Omit<VaultConfig, never>) {
    Object.assign(this, settings);
  }
}

export class InvalidConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`token-vault cannot start, the configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidConfigurationError';
  }
}

/** Validates every variable at once and reports every problem in one error, naming the variables, never their values. */
export function loadVaultConfig(raw: Record<string, string | undefined>): VaultConfig {
  const present = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined && value !== ''));
  const env = plainToInstance(Environment, present);
  const errors = validateSync(env, { whitelist: false, forbidUnknownValues: false });
  if (errors.length > 0) throw new InvalidConfigurationError(describe(errors));
  return fromEnvironment(env);
}

function describe(errors: ValidationError[]): string[] {
  return errors.flatMap((error) => Object.values(error.constraints ?? {}).slice(0, 1).map(String));
}

function fromEnvironment(env: Environment): VaultConfig {
  const sandbox = env.SANDBOX === 'true';
  const port = env.PORT ?? DEFAULT_PORT;
  const selfUrl = `http://127.0.0.1:${port}`;
  const kind = env.TOKEN_STORE ?? 'redis';
  const redirectUrl = env.REDIRECT_URL ?? `${selfUrl}/pocketful/callback`;
  return new VaultConfig({
    http: { host: env.HOST ?? '127.0.0.1', port, trustProxy: trustProxyFrom(env.TRUST_PROXY) },
    broker: {
      sandbox,
      baseUrl: trimSlash(env.POCKETFUL_BASE_URL ?? (sandbox ? `${selfUrl}/sandbox` : 'https://trade.pocketful.in')),
      appId: env.BROKER_API_KEY ?? SANDBOX_APP_ID,
      appSecret: env.BROKER_API_SECRET ?? SANDBOX_APP_SECRET,
      redirectUrl,
      scope: env.POCKETFUL_SCOPE ?? 'orders holdings',
      timeoutMs: env.POCKETFUL_TIMEOUT_MS ?? 10_000,
    },
    tokens: {
      cutoff: env.TOKEN_EXPIRY_TIME ? DailyCutoff.parse(env.TOKEN_EXPIRY_TIME) : DailyCutoff.MIDNIGHT,
      allowedClientIds: env.ALLOWED_CLIENT_IDS ? splitList(env.ALLOWED_CLIENT_IDS).map(normalizeClientId) : null,
    },
    store: {
      kind,
      redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      keyPrefix: env.REDIS_KEY_PREFIX ?? 'token-vault:',
      encryptionKeys: keyringFrom(env),
    },
    clientsFile: env.VAULT_CLIENTS_FILE ?? null,
    logLevel: env.LOG_LEVEL ?? 'info',
    alerts: alertSettingsFrom(env, new URL(redirectUrl).origin),
    operatorAuth: operatorAuthFrom(env.ADMIN_AUTH ?? 'none'),
    rateLimits: { perMinute: env.RATE_LIMIT_PER_MINUTE ?? 600, authFailuresPerMinute: env.AUTH_FAILURES_PER_MINUTE ?? 10 },
    audit: { maxLength: env.AUDIT_MAX_LENGTH ?? 100_000, failClosed: env.AUDIT_FAIL_CLOSED !== 'false' },
  });
}

/**
 * VAULT_ENCRYPTION_KEYS (`id:base64,…`, the first seals) and the single VAULT_ENCRYPTION_KEY, known by an id derived
 * from it. With both, the single key stays readable behind the list: the way from one key to a rotation.
 */
function keyringFrom(env: Environment): EncryptionKey[] {
  const ring = env.VAULT_ENCRYPTION_KEYS ? parseKeyList(env.VAULT_ENCRYPTION_KEYS) : [];
  if (env.VAULT_ENCRYPTION_KEY) {
    const key = Buffer.from(env.VAULT_ENCRYPTION_KEY, 'base64');
    const id = keyIdOf(key);
    if (!ring.some((entry) => entry.id === id || entry.key.equals(key))) ring.push({ id, key });
  }
  return ring;
}

function trustProxyFrom(text: string | undefined): boolean | number | string {
  if (text === undefined || text === 'false') return false;
  if (text === 'true') return true;
  return /^\d+$/.test(text) ? Number(text) : text;
}

function operatorAuthFrom(text: string): OperatorAuthSettings {
  const [kind, first, rest] = [text.split(':')[0], text.split(':')[1], text.split(':').slice(2).join(':')];
  if (kind === 'basic') return { kind, user: first, passwordSha256: rest.toLowerCase() };
  if (kind === 'header') return { kind, header: first.toLowerCase(), allowed: rest ? rest.split(',') : null };
  return { kind: 'none' };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
