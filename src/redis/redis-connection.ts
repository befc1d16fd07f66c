import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { VaultConfig } from '../config/vault-config';
import { RedisKeys } from './redis-keys';

const CONNECT_TIMEOUT_MS = 2_000;
const COMMAND_TIMEOUT_MS = 2_000;
const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * The one Redis connection of a vault process. Commands fail at once while Redis is away (no offline queue),
 * so a token read answers 503 instead of hanging, and ioredis reconnects in the background.
 */
@Injectable()
export class RedisConnection implements OnApplicationShutdown {
  readonly client: Redis;
  readonly keys: RedisKeys;
  private readonly logger = new Logger(RedisConnection.name);
  private reachable = true;

  constructor(config: VaultConfig) {
    this.keys = new RedisKeys(config.store.keyPrefix);
    this.client = new Redis(config.store.redisUrl, {
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
      if (this.reachable) this.logger.error(`Redis is not reachable (${error.code ?? error.name})`);
      this.reachable = false;
    });
  }

  async onApplicationShutdown(): Promise<void> {
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }
}
