import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { RedisKeys } from './redis-keys';
import { StorageSettings } from './storage.config';

const CONNECT_TIMEOUT_MS = 2_000;
const COMMAND_TIMEOUT_MS = 2_000;
const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * The one Redis connection of a vault process. Commands fail at once while Redis is away (no offline queue),
 * so a token read answers 503 instead of hanging, and ioredis reconnects in the background.
 */
@Injectable()
export class RedisConnection implements OnModuleInit, OnApplicationShutdown {
  readonly client: Redis;
  readonly keys: RedisKeys;
  private readonly logger = new Logger(RedisConnection.name);
  private reachable = true;

  constructor(settings: StorageSettings, keys: RedisKeys) {
    this.keys = keys;
    this.client = new Redis(settings.redisUrl, {
      ...(settings.redisPassword !== null ? { password: settings.redisPassword } : {}),
      connectTimeout: CONNECT_TIMEOUT_MS,
      commandTimeout: COMMAND_TIMEOUT_MS,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
    });
    // The URL can hold a password: log where Redis is by host and port only, and errors by their code.
    this.client.on('ready', () => {
      if (!this.reachable) this.logger.log('Redis is reachable again');
      this.reachable = true;
    });
    this.client.on('error', (error: NodeJS.ErrnoException) => {
      if (this.reachable) this.logger.error(`Redis is not reachable (${reasonOf(error)})`);
      this.reachable = false;
    });
  }

  /**
   * Without an offline queue, the first requests after start would fail while the connection is still being made.
   * Wait for it briefly; a Redis that is down at start leaves the vault up but not ready, and ioredis keeps trying.
   */
  async onModuleInit(): Promise<void> {
    if (this.client.status === 'ready') return;
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), CONNECT_TIMEOUT_MS);
      this.client.once('ready', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!ready) this.logger.warn('Redis did not answer at start; the vault is not ready until it does');
  }

  async onApplicationShutdown(): Promise<void> {
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }
}

/** A network error by its code; Redis's own refusals (WRONGPASS, NOAUTH) by their first word, which holds no secret. */
function reasonOf(error: NodeJS.ErrnoException): string {
  if (error.code) return error.code;
  const word = /^([A-Z]{4,16})\b/.exec(error.message)?.[1];
  if (word === 'WRONGPASS' || word === 'NOAUTH') return `${word}: check REDIS_PASSWORD or the password in REDIS_URL`;
  return word ?? error.name;
}
