import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { TokenCipher } from '../crypto/token-cipher';
import { RedisConnection } from '../redis/redis-connection';
import { redisCall } from '../redis/redis-call';
import { AccountRecord, StoredToken, TokenSource } from './stored-token';
import { openTokenValue, resealTokenValue, sealTokenValue } from './sealed-token-value';
import { StoredValueError } from './stored-value-error';
import { ExpiryEntry, TokenStore } from './token.store';

const REMOVE_IF_UNCHANGED = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[2])
  return 1
end
return 0`;

const RESEAL_IF_UNCHANGED = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
local account = redis.call('HGET', KEYS[2], ARGV[3])
if account then
  local fields = cjson.decode(account)
  fields['kid'] = ARGV[4]
  redis.call('HSET', KEYS[2], ARGV[3], cjson.encode(fields))
end
return 1`;

const FORGET_IF_SAME_EXPIRY = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == ARGV[2] then
  return redis.call('ZREM', KEYS[1], ARGV[1])
end
return 0`;

interface AccountFields {
  issuedAt: string;
  expiresAt: string;
  source: TokenSource;
  /** The key that sealed the token: lets readiness report tokens whose key is gone without decrypting any. */
  kid?: string;
}

/**
 * Each token is one Redis string holding a sealed envelope, so a replacement is one atomic SET and a reader sees
 * the old record or the new one, never half of each. Its Redis lifetime is the time the vault's clock leaves until
 * the token's expiry (PX), not an instant of Redis's own clock (PXAT): a Redis host whose wall clock is off then
 * drops a token neither early nor late, and the vault's clock stays the one source of time.
 */
@Injectable()
export class RedisTokenStore extends TokenStore {
  private readonly logger = new Logger(RedisTokenStore.name);

  constructor(
    private readonly redis: RedisConnection,
    private readonly cipher: TokenCipher,
    private readonly clock: Clock,
  ) {
    super();
  }

  save(token: StoredToken): Promise<void> {
    return redisCall('write', () => this.write(token));
  }

  private async write(token: StoredToken): Promise<void> {
    const { keys, client } = this.redis;
    const value = sealTokenValue(token, this.cipher);
    const account: AccountFields = {
      issuedAt: token.issuedAt.toISOString(),
      expiresAt: token.expiresAt.toISOString(),
      source: token.source,
      kid: this.cipher.keyId,
    };
    const lifetimeMs = token.expiresAt.getTime() - this.clock.now().getTime();
    const transaction = client.multi();
    // A token already past its expiry still replaces the one before it: it is simply gone at once.
    if (lifetimeMs > 0) transaction.set(keys.token(token.clientId), value, 'PX', lifetimeMs);
    else transaction.del(keys.token(token.clientId));
    const written = transaction
      .hset(keys.accounts(), token.clientId, JSON.stringify(account))
      .zadd(keys.expiries(), token.expiresAt.getTime(), token.clientId)
      .exec();
    // Sent right behind the transaction, in the same round trip: a login is answered once a replica holds its
    // token, so that a failover right after it does not lose it. A replica that does not confirm in time leaves the
    // token stored on the master, and a warning.
    const confirmed = this.redis.replicas > 0 ? client.wait(1, this.redis.replicationWaitMs).catch(() => 0) : null;
    const results = await written;
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw new Error('Redis refused the token write');
    if (confirmed !== null && (await confirmed) < 1) {
      this.logger.warn(`stored the token of ${token.clientId}, but no replica confirmed it within ${this.redis.replicationWaitMs} ms: a failover now would lose it`);
    }
  }

  find(clientId: string): Promise<StoredToken | null> {
    return redisCall('read', () => this.read(clientId));
  }

  private async read(clientId: string): Promise<StoredToken | null> {
    const raw = await this.redis.client.get(this.redis.keys.token(clientId));
    return raw === null ? null : openTokenValue(raw, clientId, this.cipher);
  }

  remove(clientId: string): Promise<boolean> {
    return redisCall('delete', async () => {
      const { client, keys } = this.redis;
      const results = await client.multi().del(keys.token(clientId)).zrem(keys.expiries(), clientId).exec();
      return results?.[0]?.[1] === 1;
    });
  }

  removeIfCurrent(token: StoredToken): Promise<boolean> {
    return redisCall('delete', async () => {
      const { client, keys } = this.redis;
      const raw = await client.get(keys.token(token.clientId));
      if (raw === null) return false;
      if (openTokenValue(raw, token.clientId, this.cipher).accessToken !== token.accessToken) return false;
      // Deleted only if the stored value is still the one just read: compare and delete in one step.
      const removed = await client.eval(REMOVE_IF_UNCHANGED, 2, keys.token(token.clientId), keys.expiries(), raw, token.clientId);
      return removed === 1;
    });
  }

  expiringBetween(from: Date, to: Date): Promise<ExpiryEntry[]> {
    return redisCall('expiry index read', async () => {
      const flat = await this.redis.client.zrangebyscore(this.redis.keys.expiries(), from.getTime(), to.getTime(), 'WITHSCORES');
      const entries: ExpiryEntry[] = [];
      for (let index = 0; index < flat.length; index += 2) {
        entries.push({ clientId: flat[index], expiresAt: new Date(Number(flat[index + 1])) });
      }
      return entries;
    });
  }

  forgetExpiry(clientId: string, expiresAt: Date): Promise<void> {
    return redisCall('expiry index write', async () => {
      await this.redis.client.eval(FORGET_IF_SAME_EXPIRY, 1, this.redis.keys.expiries(), clientId, String(expiresAt.getTime()));
    });
  }

  forgetExpiriesBefore(instant: Date): Promise<void> {
    return redisCall('expiry index write', async () => {
      await this.redis.client.zremrangebyscore(this.redis.keys.expiries(), '-inf', `(${instant.getTime()}`);
    });
  }

  accounts(): Promise<AccountRecord[]> {
    return redisCall('account listing', () => this.listAccounts());
  }

  private async listAccounts(): Promise<AccountRecord[]> {
    const { client, keys } = this.redis;
    const entries = Object.entries(await client.hgetall(keys.accounts()));
    if (entries.length === 0) return [];
    const pipeline = client.pipeline();
    for (const [clientId] of entries) pipeline.exists(keys.token(clientId));
    const present = (await pipeline.exec()) ?? [];
    return entries.map(([clientId, raw], index) => {
      const fields = parseJson<AccountFields>(raw, clientId);
      return {
        clientId,
        issuedAt: new Date(fields.issuedAt),
        expiresAt: new Date(fields.expiresAt),
        source: fields.source,
        present: present[index]?.[1] === 1,
      };
    });
  }

  accountIds(): Promise<string[]> {
    return redisCall('account listing', () => this.redis.client.hkeys(this.redis.keys.accounts()));
  }

  async keyUsage(): Promise<Record<string, string[]>> {
    const now = this.clock.now().getTime();
    const usage: Record<string, string[]> = {};
    for (const [clientId, raw] of Object.entries(await redisCall('account listing', () => this.redis.client.hgetall(this.redis.keys.accounts())))) {
      const fields = parseJson<AccountFields>(raw, clientId);
      if (!fields.kid || new Date(fields.expiresAt).getTime() <= now) continue;
      (usage[fields.kid] ??= []).push(clientId);
    }
    return usage;
  }

  /**
   * Re-seals one stored token under the sealing key, if another key sealed it: read, open, seal, and write back
   * only if the value is still the one read (a login may have replaced it meanwhile), keeping its expiry.
   */
  reseal(clientId: string): Promise<'resealed' | 'current' | 'gone' | 'changed'> {
    return redisCall('reseal', async () => {
      const { client, keys } = this.redis;
      const raw = await client.get(keys.token(clientId));
      if (raw === null) return 'gone';
      const resealed = resealTokenValue(raw, clientId, this.cipher);
      if (resealed === null) return 'current';
      const written = await client.eval(RESEAL_IF_UNCHANGED, 2, keys.token(clientId), keys.accounts(), raw, resealed, clientId, this.cipher.keyId);
      return written === 1 ? 'resealed' : 'changed';
    });
  }

  /** Every account with a token key, found with SCAN so a large store is walked without blocking Redis. */
  async *storedAccounts(): AsyncGenerator<string> {
    const { client, keys } = this.redis;
    const prefix = keys.token('');
    let cursor = '0';
    do {
      const [next, found] = await redisCall('scan', () => client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500));
      cursor = next;
      for (const key of found) yield key.slice(prefix.length);
    } while (cursor !== '0');
  }

  async ping(): Promise<void> {
    await this.redis.client.ping();
  }
}

function parseJson<T>(raw: string, clientId: string): T {
  try {
    return JSON.parse(raw) as T;
  } catch {
    throw new StoredValueError(clientId);
  }
}
