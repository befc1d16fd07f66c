import { Injectable } from '@nestjs/common';
import { AuditSettings } from '../audit/audit.config';
import { ENTRY_FIELD, readEntryPrefix } from '../audit/packed-audit-entry';
import { Clock } from '../clock/clock';
import { TokenCipher } from '../crypto/token-cipher';
import { RATE_COUNTER_LIFETIME_MS, RateWindow, rateWindow, retryAfterSeconds } from '../rate-limit/rate-window';
import { LuaCommand, luaCommand } from '../redis/lua-command';
import { redisCall } from '../redis/redis-call';
import { RedisConnection } from '../redis/redis-connection';
import { OpenedTokenCache } from './opened-token-cache';
import { openTokenValue } from './sealed-token-value';
import { StoredToken } from './stored-token';
import { ServingOutcome, ServingRead, TokenReader } from './token-reader';

/**
 * Count, read, record, for every read of a batch: one script, one round trip. The counter is the rate limiter's
 * (same key, same window), moved once per client by the batch's reads of that client, each read then judged by its
 * own place in the count, as one INCR each would; a token read by several reads of the batch is fetched once. The
 * audit entry is RedisAuditLog's packed entry, finished with the fingerprint that stands beside the sealed token; an
 * entry that cannot be written (redis.pcall) withholds the token when reads fail closed. The expiry beside the token
 * is compared with the vault's clock, so Redis and the vault agree on a token's last second.
 *
 * KEYS: the audit stream, then for each read its token and its rate counter.
 * ARGV: now (ms), the counter's lifetime, the stream's length, fail closed (1/0), then for each read its limit
 * (0: none) and its audit entry but for the fingerprint.
 */
const COUNT_READ_RECORD = `
local now = tonumber(ARGV[1])
local reads = (#KEYS - 1) / 2
local wanted, counted = {}, {}
for i = 1, reads do
  if tonumber(ARGV[4 + (i - 1) * 2 + 1]) > 0 then
    local counter = KEYS[2 * i + 1]
    wanted[counter] = (wanted[counter] or 0) + 1
  end
end
for counter, n in pairs(wanted) do
  local after = redis.call('INCRBY', counter, n)
  if after == n then redis.call('PEXPIRE', counter, ARGV[2]) end
  counted[counter] = after - n
end
local found, values, answers, recorded = {}, {}, {}, false
for i = 1, reads do
  local token, counter, a = KEYS[2 * i], KEYS[2 * i + 1], 4 + (i - 1) * 2
  local limit = tonumber(ARGV[a + 1])
  local answer = nil
  if limit > 0 then
    counted[counter] = counted[counter] + 1
    if counted[counter] > limit then answer = {'limited'} end
  end
  if not answer then
    local held = found[token]
    if held == nil then
      local value = redis.call('GET', token)
      held = false
      if value then
        local expires, fingerprint = string.match(value, '^v2:(%d+):([%w_-]*):')
        if not expires or tonumber(expires) > now then
          values[#values + 1] = value
          held = { index = #values, fingerprint = fingerprint or '' }
        end
      end
      found[token] = held
    end
    if not held then
      answer = {'missing'}
    else
      local entry = redis.pcall('XADD', KEYS[1], '*', '${ENTRY_FIELD}', ARGV[a + 2] .. held.fingerprint)
      local written = type(entry) ~= 'table' or not entry.err
      recorded = recorded or written
      if not written and ARGV[4] == '1' then answer = {'audit_failed'} else answer = {'served', held.index, written and 1 or 0} end
    end
  end
  answers[i] = answer
end
if recorded then redis.pcall('XTRIM', KEYS[1], 'MAXLEN', '~', ARGV[3]) end
return {answers, values}`;

type ScriptAnswer = ['limited'] | ['missing'] | ['audit_failed'] | ['served', number, 0 | 1];
/** Each read's answer, and the distinct token values they point into (by 1-based index): sent once a batch. */
type ScriptReply = [ScriptAnswer[], string[]];

interface Waiting {
  read: ServingRead;
  settle: (outcome: Promise<ServingOutcome>) => void;
}

/** Keeps one script call, and the time Redis spends in it, well under a millisecond. */
const MOST_PER_CALL = 128;

/**
 * Reads arriving together (at market open, hundreds in one turn of the event loop) go to Redis together: they
 * are gathered until the loop has taken in what arrived, then sent as one call. Each still gets its own count,
 * token and audit entry; only the round trip and the script's start-up are shared.
 */
@Injectable()
export class RedisTokenReader extends TokenReader {
  private readonly countReadRecord: LuaCommand<ScriptReply>;
  private readonly opened = new OpenedTokenCache();
  private waiting: Waiting[] = [];

  constructor(
    private readonly redis: RedisConnection,
    private readonly cipher: TokenCipher,
    private readonly audit: AuditSettings,
    private readonly clock: Clock,
  ) {
    super();
    this.countReadRecord = luaCommand(redis.client, 'vaultCountReadRecord', COUNT_READ_RECORD);
  }

  read(read: ServingRead): Promise<ServingOutcome> {
    return new Promise((resolve) => {
      this.waiting.push({ read, settle: resolve });
      if (this.waiting.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, MOST_PER_CALL);
      const outcomes = this.send(batch.map((waiting) => waiting.read));
      batch.forEach((waiting, index) => waiting.settle(outcomes.then((all) => all[index])));
    }
  }

  private async send(reads: ServingRead[]): Promise<ServingOutcome[]> {
    const now = this.clock.now().getTime();
    const window = rateWindow(now);
    const { keys } = this.redis;
    const scriptKeys = [keys.audit()];
    const args: Array<string | number> = [now, RATE_COUNTER_LIFETIME_MS, this.audit.maxLength, reads[0].failClosed ? 1 : 0];
    for (const { clientId, rate, audit } of reads) {
      scriptKeys.push(keys.token(clientId), rate ? keys.rateLimit(rate.tracker, window.index) : keys.token(clientId));
      args.push(rate?.limitPerMinute ?? 0, readEntryPrefix(audit));
    }
    const [answers, values] = await redisCall('read', () => this.countReadRecord(scriptKeys, args));
    // A value is opened once per batch, with the account of a read it was served to (its AAD).
    const tokens: Array<StoredToken | undefined> = [];
    const tokenOf = (index: number, clientId: string) =>
      (tokens[index] ??= this.opened.open(values[index - 1], (raw) => openTokenValue(raw, clientId, this.cipher)));
    return answers.map((answer, read) => this.outcome(answer, (index) => tokenOf(index, reads[read].clientId), window, now));
  }

  private outcome(answer: ScriptAnswer, tokenAt: (index: number) => StoredToken, window: RateWindow, now: number): ServingOutcome {
    switch (answer[0]) {
      case 'served':
        return { kind: 'served', token: tokenAt(answer[1]), audited: answer[2] === 1 };
      case 'limited':
        return { kind: 'limited', retryAfterSeconds: retryAfterSeconds(window, now) };
      default:
        return { kind: answer[0] };
    }
  }
}
