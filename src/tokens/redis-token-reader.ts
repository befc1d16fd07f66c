import { Injectable } from '@nestjs/common';
import { AuditSettings } from '../audit/audit.config';
import { Clock } from '../clock/clock';
import { TokenCipher } from '../crypto/token-cipher';
import { RATE_COUNTER_LIFETIME_MS, rateWindow, retryAfterSeconds } from '../rate-limit/rate-window';
import { LuaCommand, luaCommand } from '../redis/lua-command';
import { redisCall } from '../redis/redis-call';
import { RedisConnection } from '../redis/redis-connection';
import { openTokenValue } from './sealed-token-value';
import { ServingOutcome, ServingRead, TokenReader } from './token-reader';

/**
 * Count, read, record: one script, one round trip. The counter is the rate limiter's (same key, same window); the
 * audit entry has the fields of RedisAuditLog and the fingerprint stored beside the sealed token; an entry that
 * cannot be written (redis.pcall) withholds the token when the read is to fail closed. The expiry beside the token
 * is compared with the vault's clock, so Redis and the vault agree on a token in its last second.
 */
const COUNT_READ_RECORD = `
local limit = tonumber(ARGV[1])
if limit > 0 then
  local count = redis.call('INCR', KEYS[2])
  if count == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
  if count > limit then return {'limited'} end
end
local value = redis.call('GET', KEYS[1])
if not value then return {'missing'} end
local expires = tonumber(string.match(value, '"exp":(%d+)'))
if expires and expires <= tonumber(ARGV[3]) then return {'missing'} end
local fingerprint = string.match(value, '"fp":"([^"]*)"') or ''
local entry = redis.pcall('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*',
  'action', 'read', 'result', 'ok', 'client', ARGV[6], 'account', ARGV[7],
  'requestId', ARGV[8], 'remote', ARGV[9], 'fingerprint', fingerprint)
local written = type(entry) ~= 'table' or not entry.err
if not written and ARGV[5] == '1' then return {'audit_failed'} end
return {'served', value, written and 1 or 0}`;

type ScriptAnswer = ['limited'] | ['missing'] | ['audit_failed'] | ['served', string, 0 | 1];

@Injectable()
export class RedisTokenReader extends TokenReader {
  private readonly countReadRecord: LuaCommand<ScriptAnswer>;

  constructor(
    private readonly redis: RedisConnection,
    private readonly cipher: TokenCipher,
    private readonly audit: AuditSettings,
    private readonly clock: Clock,
  ) {
    super();
    this.countReadRecord = luaCommand(redis.client, 'vaultCountReadRecord', 3, COUNT_READ_RECORD);
  }

  async read({ clientId, rate, audit, failClosed }: ServingRead): Promise<ServingOutcome> {
    const now = this.clock.now().getTime();
    const window = rateWindow(now);
    const { keys } = this.redis;
    const answer = await redisCall('read', () =>
      this.countReadRecord(
        [keys.token(clientId), rate ? keys.rateLimit(rate.tracker, window.index) : keys.token(clientId), keys.audit()],
        [
          rate?.limitPerMinute ?? 0,
          RATE_COUNTER_LIFETIME_MS,
          now,
          this.audit.maxLength,
          failClosed ? '1' : '0',
          audit.client ?? '',
          audit.account ?? '',
          audit.requestId ?? '',
          audit.remote ?? '',
        ],
      ),
    );
    switch (answer[0]) {
      case 'served':
        return { kind: 'served', token: openTokenValue(answer[1], clientId, this.cipher), audited: answer[2] === 1 };
      case 'limited':
        return { kind: 'limited', retryAfterSeconds: retryAfterSeconds(window, now) };
      default:
        return { kind: answer[0] };
    }
  }
}
