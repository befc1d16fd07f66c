import type Redis from 'ioredis';

export type LuaCommand<R> = (keys: readonly string[], args: ReadonlyArray<string | number>) => Promise<R>;

/**
 * A Lua script as a command of the client, through ioredis's defineCommand: sent by EVALSHA, and in full only when
 * Redis answers NOSCRIPT (first use, or after Redis restarted), so a call costs one round trip and a few bytes. The
 * number of keys may differ from call to call.
 */
export function luaCommand<R>(client: Redis, name: string, lua: string): LuaCommand<R> {
  client.defineCommand(name, { lua });
  const command = (client as unknown as Record<string, (...args: Array<string | number>) => Promise<R>>)[name].bind(client);
  return (keys, args) => command(keys.length, ...keys, ...args);
}
