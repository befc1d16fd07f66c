import { Logger } from '@nestjs/common';
import { storeUnavailable, VaultError } from '../errors/vault-error';

const logger = new Logger('RedisStore');

/**
 * Runs a store operation and turns whatever Redis or the network threw into one error the API maps to 503. Only
 * the error's name and code are logged: ioredis attaches the command's arguments to its errors.
 */
export async function redisCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof VaultError) throw error;
    const { name, code } = error as NodeJS.ErrnoException;
    logger.warn(`Redis ${operation} failed (${code ?? name})`);
    throw storeUnavailable();
  }
}
