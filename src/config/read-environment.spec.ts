import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEnvironment } from './read-environment';

describe(readEnvironment.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'token-vault-env-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads an OpenAlgo .env, with its KEY = 'value' lines and comments", () => {
    const file = join(dir, 'openalgo.env');
    writeFileSync(
      file,
      [
        '# Broker Configuration',
        "BROKER_API_KEY = 'APP-ID-123'",
        "BROKER_API_SECRET = 'secret+with:odd%chars'",
        "REDIRECT_URL = 'http://127.0.0.1:5000/pocketful/callback'  # Change if different",
        "VALID_BROKERS = 'pocketful,zerodha'",
        '',
      ].join('\n'),
    );
    const env = readEnvironment(file);
    expect(env.BROKER_API_KEY).toBe('APP-ID-123');
    expect(env.BROKER_API_SECRET).toBe('secret+with:odd%chars');
    expect(env.REDIRECT_URL).toBe('http://127.0.0.1:5000/pocketful/callback');
  });

  it('lets the process environment win over the file', () => {
    const file = join(dir, 'override.env');
    writeFileSync(file, 'LOG_LEVEL=debug\nPOCKETFUL_SCOPE=orders\n');
    process.env.LOG_LEVEL = 'warn';
    try {
      const env = readEnvironment(file);
      expect(env.LOG_LEVEL).toBe('warn');
      expect(env.POCKETFUL_SCOPE).toBe('orders');
    } finally {
      delete process.env.LOG_LEVEL;
    }
  });

  it('runs on the environment alone when there is no file', () => {
    process.env.POCKETFUL_SCOPE = 'holdings';
    try {
      expect(readEnvironment(join(dir, 'absent.env')).POCKETFUL_SCOPE).toBe('holdings');
    } finally {
      delete process.env.POCKETFUL_SCOPE;
    }
  });
});
