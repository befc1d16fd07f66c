import type { RedisOptions } from 'ioredis';
import { GatedRedis } from './gated-redis';
import { replyWord } from './redis-failure';
import { StorageSettings } from './storage.config';

const CONNECT_TIMEOUT_MS = 2_000;
const MAX_RECONNECT_DELAY_MS = 1_000;
/** After a failover, the sentinels that watch for the next one are reconnected to this soon (ioredis: a minute). */
const SENTINEL_RECONNECT_MS = 2_000;

/**
 * The options of the vault's one connection. Commands fail at once while Redis is away (no offline queue, no
 * retries, nothing resent after a reconnect) and after the command timeout when Redis is silent, so a token read
 * answers 503 instead of hanging; ioredis reconnects in the background. A READONLY reply means the node was
 * demoted under the vault: reconnect, which with Sentinel finds the new master.
 */
export function redisOptions(settings: StorageSettings): RedisOptions {
  const common: RedisOptions = {
    ...(settings.redisPassword !== null ? { password: settings.redisPassword } : {}),
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: settings.commandTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
    reconnectOnError: (error) => replyWord(error) === 'READONLY',
  };
  if (settings.sentinels.length === 0) return common;
  return {
    ...common,
    sentinels: settings.sentinels.map(({ host, port }) => ({ host, port })),
    name: settings.sentinelName ?? undefined,
    role: 'master',
    ...(settings.sentinelPassword !== null ? { sentinelPassword: settings.sentinelPassword } : {}),
    sentinelCommandTimeout: settings.commandTimeoutMs,
    sentinelRetryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
    sentinelReconnectStrategy: () => SENTINEL_RECONNECT_MS,
    // Reconnect on the sentinels' +switch-master, not only when the old master's connection breaks: a master that
    // stalls rather than dies keeps its connection open.
    failoverDetector: true,
    // rediss:// asks for TLS to the data nodes; the sentinels are asked in the clear.
    enableTLSForSentinelMode: settings.redisUrl.startsWith('rediss:'),
  };
}

/**
 * The client for REDIS_URL, or for the master the sentinels name: with REDIS_SENTINELS the URL's host and port
 * are not used, its database and password are.
 */
export function createRedisClient(settings: StorageSettings): GatedRedis {
  return new GatedRedis(settings.redisUrl, redisOptions(settings));
}
