import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { DEFAULT_PORT } from './http/http.config';
import { DailyCutoff } from './clock/daily-cutoff';
import { InvalidConfigurationError, loadVaultConfig, VaultConfig } from './vault-config';

const KEY = randomBytes(32);
const PRODUCTION = {
  BROKER_API_KEY: 'APP-ID-123',
  BROKER_API_SECRET: 'app-secret-456',
  REDIRECT_URL: 'https://vault.example.in/pocketful/callback',
  VAULT_ENCRYPTION_KEY: KEY.toString('base64'),
  ADMIN_AUTH: 'none',
};

function configurationError(env: Record<string, string | undefined>): InvalidConfigurationError {
  try {
    loadVaultConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidConfigurationError);
    return error as InvalidConfigurationError;
  }
  throw new Error('expected InvalidConfigurationError, but the configuration loaded');
}

describe('loadVaultConfig defaults', () => {
  const config = loadVaultConfig(PRODUCTION);

  it('returns a VaultConfig', () => {
    expect(config).toBeInstanceOf(VaultConfig);
  });

  it('listens on 127.0.0.1:5000', () => {
    expect(DEFAULT_PORT).toBe(5000);
    expect(config.http).toMatchObject({ host: '127.0.0.1', port: 5000 });
    expect(config.http.trustedProxies.setting).toEqual({ kind: 'none' });
  });

  it('talks to Pocketful at https://trade.pocketful.in with scope "orders holdings" and a 10 s timeout', () => {
    expect(config.broker).toEqual({
      enabled: true,
      sandbox: false,
      baseUrl: 'https://trade.pocketful.in',
      appId: 'APP-ID-123',
      appSecret: 'app-secret-456',
      redirectUrl: 'https://vault.example.in/pocketful/callback',
      scope: 'orders holdings',
      timeoutMs: 10_000,
      pkce: true,
    });
  });

  it('cuts tokens off at midnight IST and allows every account', () => {
    expect(config.tokens.cutoff).toBe(DailyCutoff.MIDNIGHT);
    expect(config.tokens.allowedClientIds).toBeNull();
  });

  it('stores in redis at redis://127.0.0.1:6379 under token-vault:, with the decoded 32-byte key', () => {
    expect(config.storage.kind).toBe('redis');
    expect(config.storage.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.storage.keyPrefix).toBe('token-vault:');
    expect(config.keyring.keys.map((entry) => entry.key.equals(KEY))).toEqual([true]);
  });

  it('has no clients file and logs at info', () => {
    expect(config.access.clientsFile).toBeNull();
    expect(config.logging.level).toBe('info');
  });
});

describe('loadVaultConfig with SANDBOX=true', () => {
  it('needs no broker credentials and points the broker at its own /sandbox', () => {
    const config = loadVaultConfig({ SANDBOX: 'true', TOKEN_STORE: 'memory' });
    expect(config.broker.sandbox).toBe(true);
    expect(config.broker.baseUrl).toBe('http://127.0.0.1:5000/sandbox');
    expect(config.broker.redirectUrl).toBe('http://127.0.0.1:5000/pocketful/callback');
    expect(config.broker.appId).toBe('sandbox-app');
    expect(config.broker.appSecret).toBe('sandbox-secret');
    expect(config.storage.kind).toBe('memory');
    expect(config.keyring.keys).toEqual([]);
  });

  it('follows PORT in its own URLs', () => {
    const config = loadVaultConfig({ SANDBOX: 'true', TOKEN_STORE: 'memory', PORT: '5123' });
    expect(config.http.port).toBe(5123);
    expect(config.broker.baseUrl).toBe('http://127.0.0.1:5123/sandbox');
    expect(config.broker.redirectUrl).toBe('http://127.0.0.1:5123/pocketful/callback');
  });

  it('still needs an encryption key when the store is redis', () => {
    const error = configurationError({ SANDBOX: 'true' });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^VAULT_ENCRYPTION_KEY /);
  });

  it('uses given credentials when they are set', () => {
    const config = loadVaultConfig({ SANDBOX: 'true', TOKEN_STORE: 'memory', BROKER_API_KEY: 'mine' });
    expect(config.broker.appId).toBe('mine');
  });

  it('SANDBOX=false is production: credentials are required', () => {
    const error = configurationError({ SANDBOX: 'false', TOKEN_STORE: 'memory' });
    expect(error.problems.map((p) => p.split(' ')[0])).toEqual(['BROKER_API_KEY', 'BROKER_API_SECRET', 'REDIRECT_URL', 'ADMIN_AUTH']);
  });
});

describe('loadVaultConfig reads what is set', () => {
  it('takes every variable', () => {
    const config = loadVaultConfig({
      ...PRODUCTION,
      HOST: '0.0.0.0',
      PORT: '8080',
      POCKETFUL_BASE_URL: 'http://broker.internal:9000/',
      POCKETFUL_SCOPE: 'orders',
      POCKETFUL_TIMEOUT_MS: '2500',
      REDIS_URL: 'rediss://redis.internal:6380/2',
      REDIS_KEY_PREFIX: 'tv:',
      TOKEN_EXPIRY_TIME: '06:00',
      VAULT_CLIENTS_FILE: '/etc/token-vault/clients.json',
      LOG_LEVEL: 'debug',
    });
    expect(config.http).toMatchObject({ host: '0.0.0.0', port: 8080 });
    expect(config.broker.baseUrl).toBe('http://broker.internal:9000');
    expect(config.broker.scope).toBe('orders');
    expect(config.broker.timeoutMs).toBe(2500);
    expect(config.storage.redisUrl).toBe('rediss://redis.internal:6380/2');
    expect(config.storage.keyPrefix).toBe('tv:');
    expect(config.tokens.cutoff.toString()).toBe('06:00');
    expect(config.access.clientsFile).toBe('/etc/token-vault/clients.json');
    expect(config.logging.level).toBe('debug');
  });

  it("treats '' as unset", () => {
    const config = loadVaultConfig({
      ...PRODUCTION,
      HOST: '',
      PORT: '',
      POCKETFUL_BASE_URL: '',
      POCKETFUL_SCOPE: '',
      POCKETFUL_TIMEOUT_MS: '',
      TOKEN_STORE: '',
      REDIS_URL: '',
      REDIS_KEY_PREFIX: '',
      TOKEN_EXPIRY_TIME: '',
      VAULT_CLIENTS_FILE: '',
      ALLOWED_CLIENT_IDS: '',
      LOG_LEVEL: '',
      SANDBOX: '',
    });
    expect(config).toEqual(loadVaultConfig(PRODUCTION));
  });

  it("treats '' credentials as missing", () => {
    const error = configurationError({ ...PRODUCTION, BROKER_API_KEY: '', BROKER_API_SECRET: '' });
    expect(error.problems.map((p) => p.split(' ')[0])).toEqual(['BROKER_API_KEY', 'BROKER_API_SECRET']);
  });

  it('ignores variables it does not know', () => {
    expect(() => loadVaultConfig({ ...PRODUCTION, PATH: '/usr/bin', VALID_BROKERS: 'pocketful' })).not.toThrow();
  });

  it('accepts TOKEN_STORE=memory without an encryption key', () => {
    expect(loadVaultConfig({ ...PRODUCTION, VAULT_ENCRYPTION_KEY: undefined, TOKEN_STORE: 'memory' }).keyring.keys).toEqual([]);
  });

  it('accepts a base64url key', () => {
    const config = loadVaultConfig({ ...PRODUCTION, VAULT_ENCRYPTION_KEY: KEY.toString('base64url') });
    expect(config.keyring.keys.map((entry) => entry.key.equals(KEY))).toEqual([true]);
  });
});

describe('ALLOWED_CLIENT_IDS', () => {
  it('splits on commas and spaces, and upper-cases', () => {
    const config = loadVaultConfig({ ...PRODUCTION, ALLOWED_CLIENT_IDS: ' ya0002, YB01 ,yc-3\tYD_4 ' });
    expect(config.tokens.allowedClientIds).toEqual(['YA0002', 'YB01', 'YC-3', 'YD_4']);
  });

  it('is null (any account) when unset or empty', () => {
    expect(loadVaultConfig({ ...PRODUCTION, ALLOWED_CLIENT_IDS: '' }).tokens.allowedClientIds).toBeNull();
  });

  it.each(['../x', 'YA0002,../x', 'YA:0002', 'ſa0002', `A${'B'.repeat(40)}`])('refuses %j', (value) => {
    const error = configurationError({ ...PRODUCTION, ALLOWED_CLIENT_IDS: value });
    expect(error.problems).toEqual(["ALLOWED_CLIENT_IDS must be a comma-separated list of account ids such as YA0002 (the default broker's) or zerodha:AB1234"]);
  });

  it.each([' ', ',', ' , ,'])('refuses %j, a list with no id (it would refuse every account)', (value) => {
    const error = configurationError({ ...PRODUCTION, ALLOWED_CLIENT_IDS: value });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^ALLOWED_CLIENT_IDS /);
  });
});

describe('an invalid environment', () => {
  // Distinctive values: none of them may appear in the error.
  const SECRET = 'Zq7-SECRET-VALUE-must-not-leak-91x';
  const BAD = {
    SANDBOX: `yes-${SECRET}`,
    BROKER_API_SECRET: SECRET,
    REDIRECT_URL: `not a url ${SECRET}`,
    POCKETFUL_BASE_URL: `ftp://${SECRET}.example`,
    POCKETFUL_TIMEOUT_MS: '5',
    PORT: `80${SECRET}`,
    TOKEN_STORE: `disk-${SECRET}`,
    REDIS_URL: `http://${SECRET}@redis`,
    TOKEN_EXPIRY_TIME: '24:00',
    VAULT_ENCRYPTION_KEY: Buffer.from(SECRET).toString('base64'),
    ALLOWED_CLIENT_IDS: `../${SECRET}`,
    LOG_LEVEL: `loud-${SECRET}`,
  };

  it('names every problem at once', () => {
    const error = configurationError(BAD);
    const named = error.problems.map((p) => p.split(' ')[0]);
    expect(named).toEqual([
      'PORT',
      'SANDBOX',
      'BROKER_API_KEY',
      'REDIRECT_URL',
      'POCKETFUL_BASE_URL',
      'POCKETFUL_TIMEOUT_MS',
      'TOKEN_STORE',
      'REDIS_URL',
      'TOKEN_EXPIRY_TIME',
      'ALLOWED_CLIENT_IDS',
      'VAULT_ENCRYPTION_KEY',
      'ADMIN_AUTH',
      'LOG_LEVEL',
    ]);
    expect(error.message).toContain(`${error.problems.length} problem(s)`);
    for (const problem of error.problems) expect(error.message).toContain(`  - ${problem}`);
  });

  it('never contains a value it was given', () => {
    const error = configurationError(BAD);
    const text = `${error.message}\n${error.stack ?? ''}\n${JSON.stringify(error)}`;
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(BAD.VAULT_ENCRYPTION_KEY);
    expect(text).not.toContain('24:00');
  });

  it('lists missing BROKER_API_KEY, bad PORT, bad TOKEN_EXPIRY_TIME and a missing key in one error', () => {
    const error = configurationError({
      BROKER_API_SECRET: 'x',
      REDIRECT_URL: 'http://127.0.0.1:5000/pocketful/callback',
      PORT: '70000',
      TOKEN_EXPIRY_TIME: '7:5',
    });
    expect(error.problems).toEqual([
      'PORT must be a port number from 0 to 65535',
      "BROKER_API_KEY must be set to the App ID of your app on Pocketful's developer portal",
      'TOKEN_EXPIRY_TIME must be a time of day in India as HH:MM, such as 00:00',
      expect.stringMatching(/^VAULT_ENCRYPTION_KEY \(or VAULT_ENCRYPTION_KEYS\) must be set .*openssl rand -base64 32/),
      expect.stringMatching(/^ADMIN_AUTH must be set \(unless SANDBOX=true\): none, basic:USER:PASSWORD_HASH/),
    ]);
  });

  it.each(['abc', '-1', '65536', '5000.5', ' 80', '0x50'])('refuses PORT=%j', (port) => {
    expect(configurationError({ ...PRODUCTION, PORT: port }).problems).toEqual([
      expect.stringMatching(/^PORT must be a port number/),
    ]);
  });

  it.each(['99', '120001', '1e4'])('refuses POCKETFUL_TIMEOUT_MS=%j', (timeout) => {
    expect(configurationError({ ...PRODUCTION, POCKETFUL_TIMEOUT_MS: timeout }).problems).toEqual([
      expect.stringMatching(/^POCKETFUL_TIMEOUT_MS /),
    ]);
  });

  it.each(['24:00', '7:5', 'aa:bb', '12:60', 'midnight'])('refuses TOKEN_EXPIRY_TIME=%j', (time) => {
    expect(configurationError({ ...PRODUCTION, TOKEN_EXPIRY_TIME: time }).problems).toEqual([
      'TOKEN_EXPIRY_TIME must be a time of day in India as HH:MM, such as 00:00',
    ]);
  });

  it.each([
    ['16 bytes', randomBytes(16).toString('base64')],
    ['33 bytes', randomBytes(33).toString('base64')],
    ['not base64', `${'!'.repeat(43)}=`],
    ['hex of 32 bytes', randomBytes(32).toString('hex')],
  ])('refuses a VAULT_ENCRYPTION_KEY of %s, and never prints it', (_label, key) => {
    const error = configurationError({ ...PRODUCTION, VAULT_ENCRYPTION_KEY: key });
    expect(error.problems).toEqual([expect.stringMatching(/^VAULT_ENCRYPTION_KEY must be 32 random bytes/)]);
    expect(error.message).not.toContain(key);
  });

  it('refuses a bad VAULT_ENCRYPTION_KEY even with the memory store', () => {
    const error = configurationError({ ...PRODUCTION, TOKEN_STORE: 'memory', VAULT_ENCRYPTION_KEY: 'c2hvcnQ=' });
    expect(error.problems).toEqual([expect.stringMatching(/^VAULT_ENCRYPTION_KEY /)]);
  });

  it('is an Error named InvalidConfigurationError', () => {
    const error = configurationError({});
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('InvalidConfigurationError');
  });
});

describe('an OpenAlgo .env', () => {
  it('configures the broker with its variable names and values as they are', () => {
    const config = loadVaultConfig({
      BROKER_API_KEY: 'APP-ID-123',
      BROKER_API_SECRET: 'secret+with:odd%chars',
      REDIRECT_URL: 'http://127.0.0.1:5000/pocketful/callback',
      VALID_BROKERS: 'pocketful,zerodha',
      TOKEN_STORE: 'memory',
      // The one line an OpenAlgo .env needs added: who may use the login pages.
      ADMIN_AUTH: 'none',
    });
    expect(config.broker.appId).toBe('APP-ID-123');
    expect(config.broker.appSecret).toBe('secret+with:odd%chars');
    expect(config.broker.redirectUrl).toBe('http://127.0.0.1:5000/pocketful/callback');
  });
});

describe('the encryption key', () => {
  it('is required only with the redis store', () => {
    const named = (env: Record<string, string>) => {
      try {
        loadVaultConfig(env);
        return [];
      } catch (error) {
        return (error as InvalidConfigurationError).problems.map((problem) => problem.split(' ')[0]);
      }
    };
    expect(named({ SANDBOX: 'true' })).toEqual(['VAULT_ENCRYPTION_KEY']);
    expect(named({ SANDBOX: 'true', TOKEN_STORE: 'redis' })).toEqual(['VAULT_ENCRYPTION_KEY']);
    expect(named({ SANDBOX: 'true', TOKEN_STORE: 'memory' })).toEqual([]);
  });
});

describe('REDIS_URL', () => {
  it.each(['redis://localhost:6379', 'rediss://user:pw@cache.internal:6380/1'])('accepts %s', (url) => {
    expect(loadVaultConfig({ SANDBOX: 'true', TOKEN_STORE: 'memory', REDIS_URL: url }).storage.redisUrl).toBe(url);
  });

  it.each(['http://localhost:6379', 'localhost:6379'])('refuses %s', (url) => {
    expect(configurationError({ SANDBOX: 'true', TOKEN_STORE: 'memory', REDIS_URL: url }).problems).toEqual([expect.stringMatching(/^REDIS_URL /)]);
  });
});

describe(".env.example's placeholders", () => {
  // The file as a new operator copies it, with the Telegram line a channel would need uncommented.
  const example = parseEnv(readFileSync(join(__dirname, '..', '.env.example'), 'utf8').replace('# TELEGRAM_BOT_TOKEN=', 'TELEGRAM_BOT_TOKEN='));

  it('are refused by name, each, never repeating the value', () => {
    const error = configurationError({ ...example, VAULT_ENCRYPTION_KEY: KEY.toString('base64'), ADMIN_AUTH: 'none', TELEGRAM_CHAT_ID: '-100123' });
    expect(error.problems.filter((problem) => problem.includes('placeholder'))).toEqual(
      ['BROKER_API_KEY', 'BROKER_API_SECRET', 'TELEGRAM_BOT_TOKEN'].map((name) => `${name} is still the placeholder from .env.example: set it to your own value, or remove it`),
    );
    expect(error.message).not.toMatch(/your-app|ABC-your/);
  });

  it('leave a real value alone, even one with "your" in it', () => {
    expect(() => loadVaultConfig({ ...PRODUCTION, BROKER_API_KEY: 'yourbroker-app-7', BROKER_API_SECRET: 'not-your-business-9x' })).not.toThrow();
  });
});
