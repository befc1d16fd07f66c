import { InvalidConfigurationError, loadVaultConfig } from '../vault-config';

const base = { SANDBOX: 'true', TOKEN_STORE: 'memory' };

function problems(env: Record<string, string>): string[] {
  try {
    loadVaultConfig({ ...base, ...env });
  } catch (error) {
    if (error instanceof InvalidConfigurationError) return error.problems;
    throw error;
  }
  return [];
}

describe('alert settings', () => {
  it('default to no channel, leads of 60 and 15 minutes, checks at 08:30 and 09:00, a 30 s scan', () => {
    const { alerts } = loadVaultConfig(base);
    expect(alerts.anyChannel).toBe(false);
    expect(alerts.leadsMs).toEqual([3_600_000, 900_000]);
    expect(alerts.missingCheckTimes).toEqual([510, 540]);
    expect(alerts.scanIntervalMs).toBe(30_000);
    expect(alerts.onStored).toBe(false);
    expect(alerts.delivery).toEqual({ attempts: 4, retryDelayMs: 1000, timeoutMs: 5000 });
  });

  it('take the login link from PUBLIC_URL, or else from where REDIRECT_URL says people reach the vault', () => {
    expect(loadVaultConfig({ ...base, REDIRECT_URL: 'https://vault.example:8443/pocketful/callback' }).alerts.loginUrl).toBe(
      'https://vault.example:8443/pocketful/login',
    );
    expect(loadVaultConfig({ ...base, PUBLIC_URL: 'https://ops.example/' }).alerts.loginUrl).toBe('https://ops.example/pocketful/login');
  });

  it('read EXPECTED_ACCOUNTS as accounts of the default broker: bare, or named by their broker', () => {
    const zerodhaFirst = { ...base, BROKER_API_KEY: 'kite-key', BROKER_API_SECRET: 'kite-secret', REDIRECT_URL: 'http://127.0.0.1:5000/zerodha/callback' };
    expect(loadVaultConfig({ ...zerodhaFirst, EXPECTED_ACCOUNTS: 'zerodha:AB1234,cd5678,pocketful:YA0002' }).alerts.expectedAccounts).toEqual([
      'AB1234',
      'CD5678',
      'pocketful:YA0002',
    ]);
  });

  it('run the pre-open check at 08:45 IST by default, at the time PREOPEN_CHECK_AT sets, or never when it is off', () => {
    expect(loadVaultConfig(base).alerts.preopenCheckAt).toBe(8 * 60 + 45);
    expect(loadVaultConfig({ ...base, PREOPEN_CHECK_AT: '07:05' }).alerts.preopenCheckAt).toBe(7 * 60 + 5);
    expect(loadVaultConfig({ ...base, PREOPEN_CHECK_AT: 'off' }).alerts.preopenCheckAt).toBeNull();
    for (const bad of ['8:45', '08:45,09:00', '24:00', 'never']) {
      expect(problems({ PREOPEN_CHECK_AT: bad })).toEqual([expect.stringContaining('PREOPEN_CHECK_AT must be a time of day in India as HH:MM')]);
    }
  });

  it('turn on each configured channel', () => {
    const { alerts } = loadVaultConfig({
      ...base,
      ALERT_WEBHOOK_URL: 'http://hooks.internal/vault',
      SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/X',
      TELEGRAM_BOT_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ',
      TELEGRAM_CHAT_ID: '-100123',
      EXPECTED_ACCOUNTS: 'ya0002 ya0003',
      MISSING_TOKEN_CHECK_AT: 'off',
    });
    expect(alerts.webhook).toEqual({ url: 'http://hooks.internal/vault', secret: null });
    expect(alerts.slackUrl).toBe('https://hooks.slack.com/services/T/B/X');
    expect(alerts.telegram).toEqual({ apiUrl: 'https://api.telegram.org', botToken: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ', chatId: '-100123' });
    expect(alerts.expectedAccounts).toEqual(['YA0002', 'YA0003']);
    expect(alerts.missingCheckTimes).toEqual([]);
  });

  it('name every bad alert variable at once, without its value', () => {
    const found = problems({
      ALERT_WEBHOOK_URL: 'not a url',
      ALERT_WEBHOOK_SECRET: 'short',
      TELEGRAM_BOT_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ',
      ALERT_BEFORE_EXPIRY: '60m,soon',
      MISSING_TOKEN_CHECK_AT: '8:30',
      EXPECTED_ACCOUNTS: '../x',
      ALERT_SCAN_INTERVAL: '0s',
      ALERT_RETRY_ATTEMPTS: '50',
    });
    const text = found.join('\n');
    for (const name of [
      'ALERT_WEBHOOK_URL',
      'ALERT_WEBHOOK_SECRET',
      'TELEGRAM_CHAT_ID',
      'ALERT_BEFORE_EXPIRY',
      'MISSING_TOKEN_CHECK_AT',
      'EXPECTED_ACCOUNTS',
      'ALERT_SCAN_INTERVAL',
      'ALERT_RETRY_ATTEMPTS',
    ]) {
      expect(text).toContain(name);
    }
    expect(text).not.toContain('ABCDEFGHIJKLMNOPQRSTUVWXYZ');
  });
});
