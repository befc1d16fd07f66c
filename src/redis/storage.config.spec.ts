import { InvalidConfigurationError, loadConfiguration } from '../config/load-configuration';
import { storageConfig, StorageSettings } from './storage.config';

describe('REDIS_PASSWORD', () => {
  const storage = (env: Record<string, string>) => loadConfiguration(env, [storageConfig]).get(StorageSettings);

  it('is none unless set, and kept apart from the URL when set', () => {
    expect(storage({}).redisPassword).toBeNull();
    expect(storage({ REDIS_PASSWORD: 's3cret', REDIS_URL: 'redis://redis:6379' })).toMatchObject({ redisPassword: 's3cret', redisUrl: 'redis://redis:6379' });
  });

  it('may not be set beside a password in REDIS_URL, and the refusal names neither', () => {
    let error: unknown;
    try {
      storage({ REDIS_PASSWORD: 'one-secret', REDIS_URL: 'redis://:other-secret@redis:6379' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidConfigurationError);
    expect((error as InvalidConfigurationError).problems).toEqual(['REDIS_PASSWORD and a password in REDIS_URL are both set: keep the password in one of them']);
    expect((error as Error).message).not.toMatch(/one-secret|other-secret/);
  });
});

describe('REDIS_COMMAND_TIMEOUT_MS', () => {
  const storage = (env: Record<string, string>) => loadConfiguration(env, [storageConfig]).get(StorageSettings);

  it('is 1000 ms unless set', () => {
    expect(storage({}).commandTimeoutMs).toBe(1_000);
    expect(storage({ REDIS_COMMAND_TIMEOUT_MS: '250' }).commandTimeoutMs).toBe(250);
  });

  it('is a whole number of milliseconds from 50 to 60000', () => {
    for (const value of ['49', '60001', '1.5', 'soon']) {
      expect(() => storage({ REDIS_COMMAND_TIMEOUT_MS: value })).toThrow(/REDIS_COMMAND_TIMEOUT_MS must be a whole number of milliseconds from 50 to 60000/);
    }
  });
});

describe('the database in REDIS_URL', () => {
  const storage = (env: Record<string, string>) => loadConfiguration(env, [storageConfig]).get(StorageSettings);

  it('is the number in its path, 0 without one', () => {
    expect(storage({}).database).toBe(0);
    expect(storage({ REDIS_URL: 'redis://redis:6379/' }).database).toBe(0);
    expect(storage({ REDIS_URL: 'redis://redis:6379/7' }).database).toBe(7);
  });

  it('refuses a path that is not a number, which ioredis would read as database 0', () => {
    expect(() => storage({ REDIS_URL: 'redis://redis:6379/tokens' })).toThrow(/REDIS_URL has a path that is not a database number/);
  });
});

describe('REDIS_SENTINELS', () => {
  const storage = (env: Record<string, string>) => loadConfiguration(env, [storageConfig]).get(StorageSettings);

  it('is none unless set', () => {
    expect(storage({})).toMatchObject({ sentinels: [], sentinelName: null, sentinelPassword: null });
  });

  it('reads host:port pairs, names, addresses and bracketed IPv6 ones, with the master’s name and the sentinels’ password', () => {
    const settings = storage({
      REDIS_SENTINELS: 'sentinel-1:26379, 10.0.0.7:26380 [fd00::3]:26381',
      REDIS_SENTINEL_NAME: 'vault-master',
      REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
    });
    expect(settings.sentinels).toEqual([
      { host: 'sentinel-1', port: 26379 },
      { host: '10.0.0.7', port: 26380 },
      { host: 'fd00::3', port: 26381 },
    ]);
    expect(settings).toMatchObject({ sentinelName: 'vault-master', sentinelPassword: 'sentinel-secret' });
  });

  it('refuses what is not a list of host:port', () => {
    for (const value of ['sentinel-1', 'sentinel-1:', ':26379', 'redis://sentinel-1:26379']) {
      expect(() => storage({ REDIS_SENTINELS: value, REDIS_SENTINEL_NAME: 'm' })).toThrow(/REDIS_SENTINELS must be host:port pairs/);
    }
    expect(() => storage({ REDIS_SENTINELS: 'sentinel-1:70000', REDIS_SENTINEL_NAME: 'm' })).toThrow(/REDIS_SENTINELS has a port outside 1 to 65535/);
  });

  it('needs the master’s name, and the name and password need sentinels; no refusal names a password', () => {
    expect(() => storage({ REDIS_SENTINELS: 'sentinel-1:26379' })).toThrow(/REDIS_SENTINELS needs REDIS_SENTINEL_NAME/);
    let error: unknown;
    try {
      storage({ REDIS_SENTINEL_NAME: 'vault-master', REDIS_SENTINEL_PASSWORD: 'sentinel-secret' });
    } catch (caught) {
      error = caught;
    }
    expect((error as InvalidConfigurationError).problems).toEqual([
      'REDIS_SENTINEL_NAME and REDIS_SENTINEL_PASSWORD are only read with REDIS_SENTINELS: list the sentinels, or remove them',
    ]);
    expect((error as Error).message).not.toContain('sentinel-secret');
  });
});

describe('StorageSettings.address', () => {
  const storage = (env: Record<string, string>) => loadConfiguration(env, [storageConfig]).get(StorageSettings);

  it("names REDIS_URL's host, port and database, never its user or password", () => {
    expect(storage({ REDIS_URL: 'redis://vault:s3cret@redis.internal:6380/2' }).address).toBe('redis.internal:6380/2');
    expect(storage({ REDIS_URL: 'redis://redis' }).address).toBe('redis:6379');
  });

  it('names the sentinels and the master they are asked for', () => {
    const settings = storage({ REDIS_SENTINELS: 'sentinel-1:26379,sentinel-2:26379', REDIS_SENTINEL_NAME: 'vault' });
    expect(settings.address).toBe('the master vault of the sentinels sentinel-1:26379,sentinel-2:26379');
  });
});
