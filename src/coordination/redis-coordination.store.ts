import { Injectable } from '@nestjs/common';
import { LuaCommand, luaCommand } from '../redis/lua-command';
import { redisCall } from '../redis/redis-call';
import { RedisConnection } from '../redis/redis-connection';
import { CoordinationStore } from './coordination.store';

const HELD = 'held';

/** Deletes the key only while it still holds the lease: a claim settled meanwhile is never undone. */
const RELEASE_IF_HELD = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Members travel as one string, a member a line, and are split in the script: ten thousand arguments cost the
 * event loop tens of milliseconds to encode, one string of the same bytes next to nothing. Redis takes them a
 * thousand at a time, within Lua's limit on unpacked arguments.
 */
const SPLIT_MEMBERS = `
local members = {}
for member in string.gmatch(ARGV[1], '[^\\n]+') do members[#members + 1] = member end
local function each_thousand(command, key)
  local answers = {}
  for first = 1, #members, 1000 do
    local reply = redis.call(command, key, unpack(members, first, math.min(first + 999, #members)))
    if type(reply) == 'table' then for _, answer in ipairs(reply) do answers[#answers + 1] = answer end end
  end
  return answers
end`;

/** The members the set lacks, a line each, and its size: read in one step, so that both tell of the same set. */
const NOT_IN = `${SPLIT_MEMBERS}
local held = each_thousand('SMISMEMBER', KEYS[1])
local absent = {}
for index, member in ipairs(members) do
  if held[index] == 0 then absent[#absent + 1] = member end
end
return { redis.call('SCARD', KEYS[1]), table.concat(absent, '\\n') }`;

/** Adds the members and settles the claim in one step: no reader sees the set grow while the claim is held. */
const SETTLE_ADDING = `${SPLIT_MEMBERS}
if #members > 0 then
  each_thousand('SADD', KEYS[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return 1`;

/** DECR keeps the window's lifetime; only a counter that exists is touched, so none is made without one. */
const UNCOUNT = `
local count = tonumber(redis.call('GET', KEYS[1]))
if count and count > 0 then return redis.call('DECR', KEYS[1]) end
return 0`;

/**
 * `SET NX PX`: the one atomic step that lets any number of replicas agree. Relative TTLs here, unlike tokens:
 * these keys measure durations (a lease, a quiet period), not an instant of the broker's.
 */
@Injectable()
export class RedisCoordinationStore extends CoordinationStore {
  private readonly releaseIfHeld: LuaCommand<number>;
  private readonly membersNotIn: LuaCommand<[number, string]>;
  private readonly settleAddingMembers: LuaCommand<number>;
  private readonly takeBack: LuaCommand<number>;

  constructor(private readonly redis: RedisConnection) {
    super();
    this.releaseIfHeld = luaCommand(redis.client, 'releaseClaimIfHeld', RELEASE_IF_HELD);
    this.membersNotIn = luaCommand(redis.client, 'claimSetNotIn', NOT_IN);
    this.settleAddingMembers = luaCommand(redis.client, 'claimSettleAdding', SETTLE_ADDING);
    this.takeBack = luaCommand(redis.client, 'counterTakeBack', UNCOUNT);
  }

  async acquire(key: string, ttlMs: number): Promise<boolean> {
    const answer = await redisCall('claim', () => this.redis.client.set(key, HELD, 'PX', ttlMs, 'NX'));
    return answer === 'OK';
  }

  async settle(key: string, value: string, ttlMs: number): Promise<void> {
    await redisCall('claim settle', () => this.redis.client.set(key, value, 'PX', ttlMs));
  }

  async release(key: string): Promise<void> {
    await redisCall('claim release', () => this.releaseIfHeld([key], [HELD]));
  }

  /** Members are names without line breaks (account ids, here). */
  async notIn(setKey: string, members: readonly string[]): Promise<{ absent: string[]; size: number }> {
    const [size, absent] = await redisCall('claim set read', () => this.membersNotIn([setKey], [members.join('\n')]));
    return { absent: absent === '' ? [] : absent.split('\n'), size };
  }

  async settleAdding(claimKey: string, value: string, setKey: string, members: readonly string[], ttlMs: number): Promise<void> {
    await redisCall('claim settle', () => this.settleAddingMembers([setKey, claimKey], [members.join('\n'), value, ttlMs]));
  }

  async count(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }> {
    const [[, count], , [, ttl]] = (await redisCall('counter', () =>
      this.redis.client.multi().incr(key).pexpire(key, windowMs, 'NX').pttl(key).exec(),
    )) as [[unknown, number], unknown, [unknown, number]];
    return { count, resetInMs: Math.max(0, ttl) };
  }

  async peek(key: string): Promise<{ count: number; resetInMs: number }> {
    const [[, value], [, ttl]] = (await redisCall('counter', () => this.redis.client.multi().get(key).pttl(key).exec())) as [
      [unknown, string | null],
      [unknown, number],
    ];
    return { count: Number(value ?? 0) || 0, resetInMs: Math.max(0, ttl) };
  }

  async uncount(key: string): Promise<void> {
    await redisCall('counter', () => this.takeBack([key], []));
  }

  async read(key: string): Promise<string | null> {
    return redisCall('claim read', () => this.redis.client.get(key));
  }
}
