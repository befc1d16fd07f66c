import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUrl, Matches, Max, Min, ValidateIf, Validate } from 'class-validator';
import { ValidatorConstraint, ValidatorConstraintInterface, ValidationArguments } from 'class-validator';
import { DailyCutoff } from '../tokens/daily-cutoff';
import { isClientId, normalizeClientId } from '../tokens/client-id';
import { KEY_BYTES } from '../crypto/token-cipher';
import { AlertEnvironment } from '../alerts/alert-environment';

const URL_OPTIONS = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };
const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);

@ValidatorConstraint({ name: 'encryptionKey' })
class IsEncryptionKey implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && /^[A-Za-z0-9+/=_-]+$/.test(value) && Buffer.from(value, 'base64').length === KEY_BYTES;
  }
  defaultMessage(args: ValidationArguments): string {
    if (args.value === undefined) {
      return `${args.property} (or VAULT_ENCRYPTION_KEYS) must be set when TOKEN_STORE is redis: ${KEY_BYTES} random bytes in base64 (make one with: openssl rand -base64 32)`;
    }
    return `${args.property} must be ${KEY_BYTES} random bytes in base64 (make one with: openssl rand -base64 32)`;
  }
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** `id:base64,id:base64`, as VAULT_ENCRYPTION_KEYS holds them (validated before). */
export function parseKeyList(value: string): Array<{ id: string; key: Buffer }> {
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
    if (entries.length === 0) return false;
    const ids = new Set<string>();
    for (const entry of entries) {
      const colon = entry.indexOf(':');
      const id = entry.slice(0, colon);
      const key = entry.slice(colon + 1);
      if (colon < 1 || !KEY_ID.test(id) || ids.has(id)) return false;
      if (!/^[A-Za-z0-9+/=_-]+$/.test(key) || Buffer.from(key, 'base64').length !== KEY_BYTES) return false;
      ids.add(id);
    }
    return true;
  }
  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be id:key pairs, comma-separated, each id unique (letters, digits, - or _) and each key ${KEY_BYTES} random bytes in base64; the first key encrypts`;
  }
}

@ValidatorConstraint({ name: 'clientIdList' })
class IsClientIdList implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string') return false;
    const ids = splitList(value);
    // A list of only separators would become an empty allow-list that silently refuses every account.
    return ids.length > 0 && ids.every((id) => isClientId(normalizeClientId(id)));
  }
  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be a comma-separated list of Pocketful client ids such as YA0002`;
  }
}

@ValidatorConstraint({ name: 'dailyCutoff' })
class IsDailyCutoff implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && DailyCutoff.isValid(value);
  }
  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be a time of day in India as HH:MM, such as 00:00`;
  }
}

export function splitList(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

const isSandbox = (env: Environment) => env.SANDBOX === 'true';

/**
 * Every variable the vault reads, as the operator writes it. Validated once at start-up; the names of the
 * broker variables are OpenAlgo's, so an OpenAlgo `.env` works as it is.
 */
export class Environment extends AlertEnvironment {
  @IsOptional()
  @IsIn(['true', 'false'], { message: '$property must be true or false' })
  SANDBOX?: string;

  @ValidateIf((env: Environment) => !isSandbox(env) || env.BROKER_API_KEY !== undefined)
  @IsString()
  @IsNotEmpty({ message: '$property must be set to the App ID of your app on Pocketful\'s developer portal' })
  BROKER_API_KEY?: string;

  @ValidateIf((env: Environment) => !isSandbox(env) || env.BROKER_API_SECRET !== undefined)
  @IsString()
  @IsNotEmpty({ message: '$property must be set to the App Secret of your app on Pocketful\'s developer portal' })
  BROKER_API_SECRET?: string;

  @ValidateIf((env: Environment) => !isSandbox(env) || env.REDIRECT_URL !== undefined)
  @IsUrl(URL_OPTIONS, {
    message: '$property must be the redirect URL registered with your app, e.g. http://127.0.0.1:5000/pocketful/callback',
  })
  REDIRECT_URL?: string;

  @IsOptional()
  @IsUrl(URL_OPTIONS, { message: '$property must be an http(s) URL such as https://trade.pocketful.in' })
  POCKETFUL_BASE_URL?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty({ message: '$property must not be empty (default: orders holdings)' })
  POCKETFUL_SCOPE?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: '$property must be a whole number of milliseconds' })
  @Min(100, { message: '$property must be at least 100 ms' })
  @Max(120_000, { message: '$property must be at most 120000 ms' })
  POCKETFUL_TIMEOUT_MS?: number;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  HOST?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: '$property must be a port number' })
  @Min(0, { message: '$property must be a port number from 0 to 65535' })
  @Max(65535, { message: '$property must be a port number from 0 to 65535' })
  PORT?: number;

  @IsOptional()
  @IsIn(['redis', 'memory'], { message: '$property must be redis or memory' })
  TOKEN_STORE?: 'redis' | 'memory';

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
  @Validate(IsDailyCutoff)
  TOKEN_EXPIRY_TIME?: string;

  @ValidateIf(
    (env: Environment) =>
      ((env.TOKEN_STORE ?? 'redis') === 'redis' && env.VAULT_ENCRYPTION_KEYS === undefined) || env.VAULT_ENCRYPTION_KEY !== undefined,
  )
  @Validate(IsEncryptionKey)
  VAULT_ENCRYPTION_KEY?: string;

  @IsOptional()
  @Validate(IsEncryptionKeyList)
  VAULT_ENCRYPTION_KEYS?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty({ message: '$property must name the JSON file of service clients' })
  VAULT_CLIENTS_FILE?: string;

  @IsOptional()
  @Validate(IsClientIdList)
  ALLOWED_CLIENT_IDS?: string;

  @IsOptional()
  @Matches(/^(true|false|\d{1,2}|[0-9a-fA-F.:/]+(,[0-9a-fA-F.:/]+)*)$/, {
    message: '$property must be false, true, a number of proxy hops, or the proxies\' addresses/CIDRs, comma-separated',
  })
  TRUST_PROXY?: string;

  @IsOptional()
  @Matches(/^(none|basic:[A-Za-z0-9._@-]{1,64}:[0-9a-fA-F]{64}|header:[A-Za-z0-9-]{1,64}(:[^,\s:]+(,[^,\s:]+)*)?)$/, {
    message:
      '$property must be none, basic:USER:SHA256_OF_PASSWORD (hex), or header:HEADER-NAME[:allowed,values] for an SSO proxy',
  })
  ADMIN_AUTH?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: '$property must be a whole number from 1 to 100000' })
  @Min(1, { message: '$property must be a whole number from 1 to 100000' })
  @Max(100_000, { message: '$property must be a whole number from 1 to 100000' })
  RATE_LIMIT_PER_MINUTE?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: '$property must be a whole number from 1 to 1000' })
  @Min(1, { message: '$property must be a whole number from 1 to 1000' })
  @Max(1000, { message: '$property must be a whole number from 1 to 1000' })
  AUTH_FAILURES_PER_MINUTE?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: '$property must be a whole number from 1000 to 10000000' })
  @Min(1000, { message: '$property must be a whole number from 1000 to 10000000' })
  @Max(10_000_000, { message: '$property must be a whole number from 1000 to 10000000' })
  AUDIT_MAX_LENGTH?: number;

  @IsOptional()
  @IsIn(['true', 'false'], { message: '$property must be true or false' })
  AUDIT_FAIL_CLOSED?: string;

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    message: '$property must be one of fatal, error, warn, info, debug, trace, silent',
  })
  LOG_LEVEL?: string;
}
