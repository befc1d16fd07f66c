import { Logger } from '@nestjs/common';
import { storeUnavailable, VaultError } from '../errors/vault-error';
import { replyWord, unusableReason } from './redis-failure';

const logger = new Logger('RedisStore');

/**
 * Runs a store operation and turns whatever Redis or the network threw into one error the API maps to 503. A Redis
 * that cannot be reached is logged by the connection, as an outage, in a few lines; what is logged here, by the
 * operation's name and the reply's first word only (ioredis attaches the command's arguments to its errors), is a
 * Redis that answered with an error.
 */
export async function redisCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof VaultError) throw error;
    if (unusableReason(error) === null) {
      const { name, code } = error as NodeJS.ErrnoException;
      logger.warn(`Redis ${operation} failed (${replyWord(error) ?? code ?? name})`);
    }
    throw storeUnavailable();
  }
}
