import { loadConfiguration } from '../config/load-configuration';
import { redisOptions } from './redis-client-factory';
import { storageConfig, StorageSettings } from './storage.config';

const settings = (env: Record<string, string>) => loadConfiguration(env, [storageConfig]).get(StorageSettings);

describe('redisOptions', () => {
  it('fails commands at the configured deadline, and at once while disconnected, never resending them', () => {
    const options = redisOptions(settings({ REDIS_COMMAND_TIMEOUT_MS: '750' }));
    expect(options).toMatchObject({ commandTimeout: 750, enableOfflineQueue: false, maxRetriesPerRequest: 0, autoResendUnfulfilledCommands: false });
    expect(options.sentinels).toBeUndefined();
  });

  it('reconnects on a READONLY reply only', () => {
    const { reconnectOnError } = redisOptions(settings({}));
    const reply = (message: string) => Object.assign(new Error(message), { name: 'ReplyError' });
    expect(reconnectOnError?.(reply("READONLY You can't write against a read only replica."))).toBe(true);
    expect(reconnectOnError?.(reply('WRONGTYPE Operation against a key holding the wrong kind of value'))).toBe(false);
  });

  it('asks the sentinels for the master, watches them for a failover, and keeps the data nodes’ password apart from theirs', () => {
    const options = redisOptions(
      settings({
        REDIS_SENTINELS: 'sentinel-1:26379,sentinel-2:26379',
        REDIS_SENTINEL_NAME: 'vault-master',
        REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
        REDIS_PASSWORD: 'data-secret',
      }),
    );
    expect(options).toMatchObject({
      sentinels: [
        { host: 'sentinel-1', port: 26379 },
        { host: 'sentinel-2', port: 26379 },
      ],
      name: 'vault-master',
      role: 'master',
      sentinelPassword: 'sentinel-secret',
      password: 'data-secret',
      failoverDetector: true,
      sentinelCommandTimeout: 1_000,
      enableTLSForSentinelMode: false,
    });
  });

  it('keeps TLS to the data nodes that rediss:// asks for', () => {
    const options = redisOptions(settings({ REDIS_URL: 'rediss://ignored:6380/2', REDIS_SENTINELS: 'sentinel-1:26379', REDIS_SENTINEL_NAME: 'm' }));
    expect(options.enableTLSForSentinelMode).toBe(true);
  });
});
