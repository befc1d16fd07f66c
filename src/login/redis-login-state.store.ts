import { Injectable } from '@nestjs/common';
import { LuaCommand, luaCommand } from '../redis/lua-command';
import { RedisConnection } from '../redis/redis-connection';
import { redisCall } from '../redis/redis-call';
import { LoginStateStore, PendingLogin, StateTake } from './login-state.store';

/**
 * Checks the browser and swaps `pending:…` for `used:<browser>` in one script: atomic across replicas, and a caller
 * from another browser leaves the state as it was. KEEPTTL keeps it only as long as the state would have lived; the
 * verifier is gone with the swap. Once the login stored its token the value is `done:<browser>:<ms>:<account>`, and
 * that browser alone hears which account's it was. A bare `pending` (written before states were bound to a browser)
 * can never be completed: it reads as unknown; a bare `used` (written before logins were recorded done) stays used.
 * Lua's `~=` is not constant-time, but it compares hashes of 256-bit secrets.
 */
const TAKE_STATE = `
local value = redis.call('GET', KEYS[1])
if not value then return {'unknown'} end
if value == 'used' or string.match(value, '^used:') then return {'used'} end
local doneBy, expires, account = string.match(value, '^done:(%x+):(%d+):(.+)$')
if doneBy then
  if doneBy == ARGV[1] then return {'done', account, expires} end
  return {'used'}
end
local browser, verifier = string.match(value, '^pending:(%x+):(.*)$')
if not browser then return {'unknown'} end
if browser ~= ARGV[1] then return {'mismatch'} end
redis.call('SET', KEYS[1], 'used:' .. ARGV[1], 'KEEPTTL')
return {'fresh', verifier}
`;

type TakeReply = [StateTake['use'], string?, string?];

@Injectable()
export class RedisLoginStateStore extends LoginStateStore {
  private readonly take: LuaCommand<TakeReply>;

  constructor(private readonly redis: RedisConnection) {
    super();
    this.take = luaCommand(redis.client, 'vaultTakeLoginState', TAKE_STATE);
  }

  async saveState(stateHash: string, login: PendingLogin, lifetimeMs: number): Promise<void> {
    const key = this.redis.keys.loginState(stateHash);
    // Neither part can hold a colon: a hex digest, and a verifier of unreserved characters.
    const value = `pending:${login.browserHash}:${login.verifier ?? ''}`;
    await redisCall('login state write', () => this.redis.client.set(key, value, 'PX', lifetimeMs));
  }

  async takeState(stateHash: string, browserHash: string): Promise<StateTake> {
    const key = this.redis.keys.loginState(stateHash);
    const [use, first, second] = await redisCall('login state read', () => this.take([key], [browserHash]));
    if (use === 'fresh') return { use, verifier: first || undefined };
    if (use === 'done') return { use, account: first ?? '', expiresAt: new Date(Number(second)) };
    return { use };
  }

  async completeState(stateHash: string, browserHash: string, account: string, expiresAt: Date): Promise<void> {
    const key = this.redis.keys.loginState(stateHash);
    // XX: a state that lapsed meanwhile is not brought back.
    await redisCall('login state write', () => this.redis.client.set(key, `done:${browserHash}:${expiresAt.getTime()}:${account}`, 'KEEPTTL', 'XX'));
  }

  async claimCode(codeHash: string, lifetimeMs: number): Promise<boolean> {
    const key = this.redis.keys.codeClaim(codeHash);
    const result = await redisCall('code claim', () => this.redis.client.set(key, '1', 'PX', lifetimeMs, 'NX'));
    return result === 'OK';
  }
}
