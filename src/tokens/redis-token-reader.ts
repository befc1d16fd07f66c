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
 * KEYS: the audit stream, then each distinct token and rate counter the batch names, once.
 * ARGV: now (ms), the counter's lifetime, the stream's length, fail closed (1/0), and the reads as one JSON array,
 * four values a read: its limit (0 for none), where its token and its counter are in KEYS (0: not counted), and its
 * audit entry but for the fingerprint (packed-audit-entry.ts). One argument for the batch rather than several a read:
 * the client spends about a microsecond on each argument it sends. Redis's cjson takes it apart in C, in half the time
 * a Lua pattern took, and with no table a read.
 * Answers one string, a word a read (comma-separated): the index of its token value, `-index` when served without
 * an entry, or L (the first read past its client's limit in the window), l (limited), m (missing), a (audit failed);
 * and the distinct token values, by index.
 */
const COUNT_READ_RECORD = `
local now = tonumber(ARGV[1])
local reads = cjson.decode(ARGV[5])
local wanted, counted = {}, {}
for at = 1, #reads, 4 do
  local limit, counter = reads[at], reads[at + 2]
  if limit > 0 then wanted[counter] = (wanted[counter] or 0) + 1 end
end
for counter, n in pairs(wanted) do
  local after = redis.call('INCRBY', KEYS[counter], n)
  if after == n then redis.call('PEXPIRE', KEYS[counter], ARGV[2]) end
  counted[counter] = after - n
end
local failClosed = ARGV[4] == '1'
local found, fingerprints, values, words, answers, recorded = {}, {}, {}, {}, {}, false
for at = 1, #reads, 4 do
  local limit, token, counter = reads[at], reads[at + 1], reads[at + 2]
  local answer = nil
  if limit > 0 then
    local place = counted[counter] + 1
    counted[counter] = place
    if place == limit + 1 then answer = 'L' elseif place > limit then answer = 'l' end
  end
  if not answer then
    local index = found[token]
    if index == nil then
      local value = redis.call('GET', KEYS[token])
      index = false
      if value then
        local expires, fingerprint = string.match(value, '^v2:(%d+):([%w_-]*):')
        if not expires or tonumber(expires) > now then
          index = #values + 1
          values[index] = value
          fingerprints[index] = fingerprint or ''
          words[index] = tostring(index)
        end
      end
      found[token] = index
    end
    if not index then
      answer = 'm'
    else
      local entry = redis.pcall('XADD', KEYS[1], '*', '${ENTRY_FIELD}', reads[at + 3] .. fingerprints[index])
      local written = type(entry) ~= 'table' or not entry.err
      recorded = recorded or written
      if written then answer = words[index] elseif failClosed then answer = 'a' else answer = '-' .. words[index] end
    end
  end
  answers[#answers + 1] = answer
end
if recorded then redis.pcall('XTRIM', KEYS[1], 'MAXLEN', '~', ARGV[3]) end
return {table.concat(answers, ','), values}`;

/** The script's answers, and the distinct token values they point into (by 1-based index). */
type ScriptReply = [string, string[]];

interface Waiting {
  read: ServingRead;
  resolve: (outcome: ServingOutcome) => void;
  reject: (error: unknown) => void;
}

/** Keeps one script call, and the time Redis spends in it, well under a millisecond. */
const MOST_PER_CALL = 128;

/**
 * How long reads may wait for the call before theirs to come back. A call costs both processes a fixed share
 * (a write that wakes the other, a read, a script start) whatever its size; under load the call before is back
 * within a fraction of this, and a Redis that stalls keeps reads waiting no longer than this beyond its own
 * deadline.
 */
const HOLD_MS = 2;

/**
 * Reads arriving together (at market open, hundreds in one turn of the event loop) go to Redis together: they
 * are gathered until the loop has taken in what arrived, and while a call is out (for up to HOLD_MS), then sent as
 * one call. Each still gets its own count, token and audit entry; only the round trip and the script's start-up
 * are shared.
 */
@Injectable()
export class RedisTokenReader extends TokenReader {
  private readonly countReadRecord: LuaCommand<ScriptReply>;
  private readonly opened = new OpenedTokenCache();
  private waiting: Waiting[] = [];
  private calling = 0;
  private lastCallAt = 0;
  private holding: NodeJS.Timeout | null = null;

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
    return new Promise((resolve, reject) => {
      this.waiting.push({ read, resolve, reject });
      if (this.waiting.length === 1 && this.holding === null) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    if (this.waiting.length === 0 || this.holding !== null) return;
    const held = performance.now() - this.lastCallAt;
    if (this.calling > 0 && held < HOLD_MS) {
      this.holding = setTimeout(() => this.release(), HOLD_MS - held);
      return;
    }
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, MOST_PER_CALL);
      this.calling += 1;
      this.lastCallAt = performance.now();
      this.send(batch.map((waiting) => waiting.read)).then(
        (outcomes) => this.answered(() => batch.forEach((waiting, index) => waiting.resolve(outcomes[index]))),
        (error: unknown) => this.answered(() => batch.forEach((waiting) => waiting.reject(error))),
      );
    }
  }

  /** A call came back: its reads are settled, and the reads held behind it go out at once. */
  private answered(settle: () => void): void {
    this.calling -= 1;
    settle();
    this.release();
  }

  private release(): void {
    if (this.holding !== null) clearTimeout(this.holding);
    this.holding = null;
    this.flush();
  }

  private async send(reads: ServingRead[]): Promise<ServingOutcome[]> {
    const now = this.clock.now().getTime();
    const window = rateWindow(now);
    const { keys } = this.redis;
    const scriptKeys = [keys.audit()];
    // By account and by tracker, so that a key is made once a batch, and looked up by a short string.
    const tokenPlaces = new Map<string, number>();
    const counterPlaces = new Map<string, number>();
    const placeOf = (places: Map<string, number>, name: string, key: (name: string) => string) => {
      let place = places.get(name);
      if (place === undefined) {
        place = scriptKeys.push(key(name));
        places.set(name, place);
      }
      return place;
    };
    const tokenKey = (clientId: string) => keys.token(clientId);
    const counterKey = (tracker: string) => keys.rateLimit(tracker, window.index);
    const packed: Array<string | number> = [];
    for (const { clientId, rate, audit } of reads) {
      const token = placeOf(tokenPlaces, clientId, tokenKey);
      const counter = rate ? placeOf(counterPlaces, rate.tracker, counterKey) : 0;
      packed.push(rate?.limitPerMinute ?? 0, token, counter, readEntryPrefix(audit));
    }
    const args = [now, RATE_COUNTER_LIFETIME_MS, this.audit.maxLength, reads[0].failClosed ? 1 : 0, JSON.stringify(packed)];
    const [answers, values] = await redisCall('read', () => this.countReadRecord(scriptKeys, args));
    // A value is opened once per batch, with the account of a read it was served to (its AAD).
    const tokens: Array<StoredToken | undefined> = [];
    const tokenOf = (index: number, clientId: string) =>
      (tokens[index] ??= this.opened.open(values[index - 1], (raw) => openTokenValue(raw, clientId, this.cipher)));
    return answers.split(',').map((answer, read) => this.outcome(answer, (index) => tokenOf(index, reads[read].clientId), window, now));
  }

  private outcome(answer: string, tokenAt: (index: number) => StoredToken, window: RateWindow, now: number): ServingOutcome {
    switch (answer) {
      case 'L':
      case 'l':
        return { kind: 'limited', retryAfterSeconds: retryAfterSeconds(window, now), firstRefusal: answer === 'L' };
      case 'm':
        return { kind: 'missing' };
      case 'a':
        return { kind: 'audit_failed' };
      default: {
        const index = Number(answer);
        return { kind: 'served', token: tokenAt(Math.abs(index)), audited: index > 0 };
      }
    }
  }
}
