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
