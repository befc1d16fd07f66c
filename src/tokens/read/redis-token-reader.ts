import { Injectable } from '@nestjs/common';
import { AuditSettings } from '../../audit/audit.config';
import { ENTRY_FIELD, readEntryPrefix } from '../../audit/packed-audit-entry';
import { Clock } from '../../clock/clock';
import { TokenCipher } from '../../crypto/token-cipher';
import { RATE_COUNTER_LIFETIME_MS, RateWindow, rateWindow, retryAfterSeconds } from '../../rate-limit/rate-window';
import { LuaCommand, luaCommand } from '../../redis/lua-command';
import { redisCall } from '../../redis/redis-call';
import { RedisConnection } from '../../redis/redis-connection';
import { openTokenValue } from '../sealed-token-value';
import { StoredToken } from '../stored-token';
import COUNT_READ_RECORD from './count-read-record.lua';
import { OpenedTokenCache } from './opened-token-cache';
import { ReadBatches } from './read-batches';
import { ServingOutcome, ServingRead, TokenReader } from './token-reader';

/** The script's answers, and the distinct token values they point into (by 1-based index). */
type ScriptReply = [string, string[]];

/** Keeps one script call, and the time Redis spends in it, well under a millisecond. */
const MOST_PER_CALL = 128;
/**
 * The reads one store woke for an account go in calls of their own, this many at most: a herd of a thousand on a
 * replica is one call, some 2 ms of Redis's time, a few times a day (README, "The herd at market open").
 */
const MOST_WOKEN_PER_CALL = 1000;

/**
 * The read for Redis: the reads of a batch (read-batches.ts) counted, read and recorded by one script call
 * (count-read-record.lua), one round trip and one deadline for all of them. Each read keeps its own count, token
 * and audit entry; a key is named once a call however many reads name it, and a token read once. The reads a store
 * woke for an account are a batch of their own.
 */
@Injectable()
export class RedisTokenReader extends TokenReader {
  private readonly countReadRecord: LuaCommand<ScriptReply>;
  private readonly opened = new OpenedTokenCache();
  private readonly batches = new ReadBatches<ServingRead, ServingOutcome>((reads) => this.send(reads), MOST_PER_CALL, {
    keyOf: (read) => (read.woken ? read.clientId : null),
    most: MOST_WOKEN_PER_CALL,
  });

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
    return this.batches.add(read);
  }

  private async send(reads: ServingRead[]): Promise<ServingOutcome[]> {
    const now = this.clock.now().getTime();
    const window = rateWindow(now);
    const { keys } = this.redis;
    const scriptKeys = [keys.audit()];
    // Each key made once a call, found again by the short name it is made from.
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
    const args = [now, RATE_COUNTER_LIFETIME_MS, this.audit.maxLength, reads[0].failClosed ? 1 : 0, ENTRY_FIELD, JSON.stringify(packed)];
    const [answers, values] = await redisCall('read', () => this.countReadRecord(scriptKeys, args));
    // A value is opened once a call, with the account of the reads it was served to (its AAD). One that cannot be
    // opened fails its own reads, not the call's others.
    const tokens: Array<StoredToken | undefined> = [];
    const tokenOf = (index: number, clientId: string) =>
      (tokens[index] ??= this.opened.open(values[index - 1], clientId, (raw) => openTokenValue(raw, clientId, this.cipher)));
    return answers.split(',').map((answer, read): ServingOutcome => {
      try {
        return outcome(answer, (index) => tokenOf(index, reads[read].clientId), window, now);
      } catch (error) {
        return { kind: 'unreadable', error };
      }
    });
  }
}

function outcome(answer: string, tokenAt: (index: number) => StoredToken, window: RateWindow, now: number): ServingOutcome {
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
