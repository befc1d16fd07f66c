import { IsOptional, Matches, Validate, ValidateIf, ValidationArguments, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';
import { parseTimeOfDay } from '../clock/ist-time';
import { configSlice } from '../config/config-slice';
import { OptionalFlag, OptionalHttpUrl, OptionalWholeNumber, splitList, trimSlash } from '../config/variables';
import { BrokerSettings } from '../brokers/pocketful/pocketful.config';
import { BrokersSettings } from '../brokers/brokers.config';
import { IsClientIdList, parseClientIdList } from '../tokens/tokens.config';
import { parseDuration } from './alert-schedule';
import { AlertSettings } from './alert-settings';

const DEFAULT_LEADS = '60m,15m';
const DEFAULT_CHECKS = '08:30,09:00';
/** Half an hour before the market opens at 09:15 IST: time for the retries and for someone to log in. */
const DEFAULT_PREOPEN = '08:45';

const everyItem = (value: unknown, valid: (item: string) => boolean) =>
  typeof value === 'string' && splitList(value).length > 0 && splitList(value).every(valid);

@ValidatorConstraint({ name: 'durationList' })
class IsDurationList implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return everyItem(value, (item) => parseDuration(item) !== null);
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
    return value === 'off' || everyItem(value, (item) => parseTimeOfDay(item) !== null);
  }
  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be times of day in India as HH:MM, such as 08:30,09:00, or off`;
  }
}

@ValidatorConstraint({ name: 'timeOfDayOrOff' })
class IsTimeOfDayOrOff implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return value === 'off' || (typeof value === 'string' && parseTimeOfDay(value) !== null);
  }
  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be a time of day in India as HH:MM, such as 08:45, or off`;
  }
}

class AlertVariables {
  @OptionalHttpUrl()
  ALERT_WEBHOOK_URL?: string;

  @IsOptional()
  @Matches(/^.{16,}$/, { message: '$property must be at least 16 characters (openssl rand -hex 32 makes a good one)' })
  ALERT_WEBHOOK_SECRET?: string;

  @OptionalHttpUrl('$property must be an http(s) URL, as Slack gives it for an incoming webhook')
  SLACK_WEBHOOK_URL?: string;

  @ValidateIf((env: AlertVariables) => env.TELEGRAM_CHAT_ID !== undefined || env.TELEGRAM_BOT_TOKEN !== undefined)
  @Matches(/^\d{1,20}:[A-Za-z0-9_-]{20,100}$/, { message: '$property must be a bot token as BotFather gives it (123456:ABC…), set together with TELEGRAM_CHAT_ID' })
  TELEGRAM_BOT_TOKEN?: string;

  @ValidateIf((env: AlertVariables) => env.TELEGRAM_BOT_TOKEN !== undefined || env.TELEGRAM_CHAT_ID !== undefined)
  @Matches(/^(-?\d{1,20}|@[A-Za-z0-9_]{5,64})$/, { message: '$property must be a chat id (a number) or @channelname, set together with TELEGRAM_BOT_TOKEN' })
  TELEGRAM_CHAT_ID?: string;

  @OptionalHttpUrl()
  TELEGRAM_API_URL?: string;

  @IsOptional()
  @Validate(IsDurationList)
  ALERT_BEFORE_EXPIRY?: string;

  @IsOptional()
  @Validate(IsTimeOfDayList)
  MISSING_TOKEN_CHECK_AT?: string;

  @IsOptional()
  @Validate(IsTimeOfDayOrOff)
  PREOPEN_CHECK_AT?: string;

  @IsOptional()
  @Validate(IsClientIdList)
  EXPECTED_ACCOUNTS?: string;

  @OptionalFlag()
  ALERT_ON_STORED?: string;

  @OptionalHttpUrl('$property must be the http(s) URL where people reach the vault')
  PUBLIC_URL?: string;

  @IsOptional()
  @Validate(IsDuration)
  ALERT_SCAN_INTERVAL?: string;

  @OptionalWholeNumber(1, 10)
  ALERT_RETRY_ATTEMPTS?: number;

  @IsOptional()
  @Validate(IsDuration)
  ALERT_RETRY_DELAY?: string;

  @IsOptional()
  @Validate(IsDuration)
  ALERT_TIMEOUT?: string;
}

/** Where people reach the vault when PUBLIC_URL is unset: the origin of the redirect URL registered with Pocketful. */
export const alertsConfig = configSlice({
  settings: AlertSettings,
  variables: AlertVariables,
  build: (env, built) => {
    const checks = env.MISSING_TOKEN_CHECK_AT ?? DEFAULT_CHECKS;
    const preopen = env.PREOPEN_CHECK_AT ?? DEFAULT_PREOPEN;
    return new AlertSettings({
      webhook: env.ALERT_WEBHOOK_URL ? { url: env.ALERT_WEBHOOK_URL, secret: env.ALERT_WEBHOOK_SECRET ?? null } : null,
      slackUrl: env.SLACK_WEBHOOK_URL ?? null,
      telegram:
        env.TELEGRAM_BOT_TOKEN && env.TELEGRAM_CHAT_ID
          ? { apiUrl: trimSlash(env.TELEGRAM_API_URL ?? 'https://api.telegram.org'), botToken: env.TELEGRAM_BOT_TOKEN, chatId: env.TELEGRAM_CHAT_ID }
          : null,
      leadsMs: [...new Set(splitList(env.ALERT_BEFORE_EXPIRY ?? DEFAULT_LEADS).map((item) => parseDuration(item)!))],
      missingCheckTimes: checks === 'off' ? [] : splitList(checks).map((item) => parseTimeOfDay(item)!),
      preopenCheckAt: preopen === 'off' ? null : parseTimeOfDay(preopen),
      expectedAccounts: env.EXPECTED_ACCOUNTS ? parseClientIdList(env.EXPECTED_ACCOUNTS, built.get(BrokersSettings).accounts) : null,
      onStored: env.ALERT_ON_STORED === 'true',
      accounts: built.get(BrokersSettings).accounts,
      publicUrl: trimSlash(env.PUBLIC_URL ?? new URL(built.get(BrokerSettings).redirectUrl).origin),
      scanIntervalMs: parseDuration(env.ALERT_SCAN_INTERVAL ?? '30s')!,
      delivery: {
        attempts: env.ALERT_RETRY_ATTEMPTS ?? 4,
        retryDelayMs: parseDuration(env.ALERT_RETRY_DELAY ?? '1s')!,
        timeoutMs: parseDuration(env.ALERT_TIMEOUT ?? '5s')!,
      },
    });
  },
});
