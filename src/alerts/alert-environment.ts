import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsUrl, Matches, Max, Min, Validate, ValidateIf } from 'class-validator';
import { ValidationArguments, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';
import { isClientId, normalizeClientId } from '../tokens/client-id';
import { parseDuration, parseTimeOfDay } from './alert-schedule';

const URL_OPTIONS = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };
const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);

export function splitItems(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

@ValidatorConstraint({ name: 'durationList' })
class IsDurationList implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && splitItems(value).length > 0 && splitItems(value).every((item) => parseDuration(item) !== null);
  }
  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be durations such as 60m,15m (units ms, s, m, h)`;
  }
}

@ValidatorConstraint({ name: 'duration' })
class IsDuration implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && parseDuration(value) !== null;
  }
  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be a duration such as 30s (units ms, s, m, h)`;
  }
}

@ValidatorConstraint({ name: 'timeOfDayList' })
class IsTimeOfDayList implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (value === 'off') return true;
    return typeof value === 'string' && splitItems(value).length > 0 && splitItems(value).every((item) => parseTimeOfDay(item) !== null);
  }
  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be times of day in India as HH:MM, such as 08:30,09:00, or off`;
  }
}

@ValidatorConstraint({ name: 'accountList' })
class IsAccountList implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && splitItems(value).length > 0 && splitItems(value).every((id) => isClientId(normalizeClientId(id)));
  }
  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be a comma-separated list of Pocketful client ids such as YA0002`;
  }
}

/** The alert variables. The vault's Environment extends this class, so they are validated with the rest. */
export class AlertEnvironment {
  @IsOptional()
  @IsUrl(URL_OPTIONS, { message: '$property must be an http(s) URL' })
  ALERT_WEBHOOK_URL?: string;

  @IsOptional()
  @Matches(/^.{16,}$/, { message: '$property must be at least 16 characters (openssl rand -hex 32 makes a good one)' })
  ALERT_WEBHOOK_SECRET?: string;

  @IsOptional()
  @IsUrl(URL_OPTIONS, { message: '$property must be an http(s) URL, as Slack gives it for an incoming webhook' })
  SLACK_WEBHOOK_URL?: string;

  @ValidateIf((env: AlertEnvironment) => env.TELEGRAM_CHAT_ID !== undefined || env.TELEGRAM_BOT_TOKEN !== undefined)
  @Matches(/^\d{1,20}:[A-Za-z0-9_-]{20,100}$/, { message: '$property must be a bot token as BotFather gives it (123456:ABC…), set together with TELEGRAM_CHAT_ID' })
  TELEGRAM_BOT_TOKEN?: string;

  @ValidateIf((env: AlertEnvironment) => env.TELEGRAM_BOT_TOKEN !== undefined || env.TELEGRAM_CHAT_ID !== undefined)
  @Matches(/^(-?\d{1,20}|@[A-Za-z0-9_]{5,64})$/, { message: '$property must be a chat id (a number) or @channelname, set together with TELEGRAM_BOT_TOKEN' })
  TELEGRAM_CHAT_ID?: string;

  @IsOptional()
  @IsUrl(URL_OPTIONS, { message: '$property must be an http(s) URL' })
  TELEGRAM_API_URL?: string;

  @IsOptional()
  @Validate(IsDurationList)
  ALERT_BEFORE_EXPIRY?: string;

  @IsOptional()
  @Validate(IsTimeOfDayList)
  MISSING_TOKEN_CHECK_AT?: string;

  @IsOptional()
  @Validate(IsAccountList)
  EXPECTED_ACCOUNTS?: string;

  @IsOptional()
  @IsIn(['true', 'false'], { message: '$property must be true or false' })
  ALERT_ON_STORED?: string;

  @IsOptional()
  @IsUrl(URL_OPTIONS, { message: '$property must be the http(s) URL where people reach the vault' })
  PUBLIC_URL?: string;

  @IsOptional()
  @Validate(IsDuration)
  ALERT_SCAN_INTERVAL?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: '$property must be a whole number from 1 to 10' })
  @Min(1, { message: '$property must be a whole number from 1 to 10' })
  @Max(10, { message: '$property must be a whole number from 1 to 10' })
  ALERT_RETRY_ATTEMPTS?: number;

  @IsOptional()
  @Validate(IsDuration)
  ALERT_RETRY_DELAY?: string;

  @IsOptional()
  @Validate(IsDuration)
  ALERT_TIMEOUT?: string;
}

