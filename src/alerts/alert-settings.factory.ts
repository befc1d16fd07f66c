import { normalizeClientId } from '../tokens/client-id';
import { AlertEnvironment, splitItems } from './alert-environment';
import { parseDuration, parseTimeOfDay } from './alert-schedule';
import { AlertSettings } from './alert-settings';

const DEFAULT_LEADS = '60m,15m';
const DEFAULT_CHECKS = '08:30,09:00';

/** Alert settings from validated variables. `selfUrl` is where people reach the vault when PUBLIC_URL is unset. */
export function alertSettingsFrom(env: AlertEnvironment, selfUrl: string): AlertSettings {
  const checks = env.MISSING_TOKEN_CHECK_AT ?? DEFAULT_CHECKS;
  return new AlertSettings({
    webhook: env.ALERT_WEBHOOK_URL ? { url: env.ALERT_WEBHOOK_URL, secret: env.ALERT_WEBHOOK_SECRET ?? null } : null,
    slackUrl: env.SLACK_WEBHOOK_URL ?? null,
    telegram:
      env.TELEGRAM_BOT_TOKEN && env.TELEGRAM_CHAT_ID
        ? {
            apiUrl: (env.TELEGRAM_API_URL ?? 'https://api.telegram.org').replace(/\/+$/, ''),
            botToken: env.TELEGRAM_BOT_TOKEN,
            chatId: env.TELEGRAM_CHAT_ID,
          }
        : null,
    leadsMs: [...new Set(splitItems(env.ALERT_BEFORE_EXPIRY ?? DEFAULT_LEADS).map((item) => parseDuration(item)!))],
    missingCheckTimes: checks === 'off' ? [] : splitItems(checks).map((item) => parseTimeOfDay(item)!),
    expectedAccounts: env.EXPECTED_ACCOUNTS ? splitItems(env.EXPECTED_ACCOUNTS).map(normalizeClientId) : null,
    onStored: env.ALERT_ON_STORED === 'true',
    publicUrl: (env.PUBLIC_URL ?? selfUrl).replace(/\/+$/, ''),
    scanIntervalMs: parseDuration(env.ALERT_SCAN_INTERVAL ?? '30s')!,
    delivery: {
      attempts: env.ALERT_RETRY_ATTEMPTS ?? 4,
      retryDelayMs: parseDuration(env.ALERT_RETRY_DELAY ?? '1s')!,
      timeoutMs: parseDuration(env.ALERT_TIMEOUT ?? '5s')!,
    },
  });
}
