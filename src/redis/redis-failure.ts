/**
 * What a failed Redis command says about Redis. Either Redis answered, with an error that is the caller's to report
 * (a wrong type, a script error), or it could not be used: no answer in time, no connection, or an answer that
 * says it cannot serve (a replica, still loading, a refused password). Only the second counts against the breaker
 * and in the outage log. Reasons are error codes and Redis's first word: never a message, which can carry the
 * command's arguments.
 */

/** Redis's refusals that say the node cannot serve the vault now, by the reply's first word. */
const UNUSABLE_REPLIES: Record<string, string> = {
  READONLY: 'READONLY: a read-only replica',
  LOADING: 'LOADING: Redis is loading its data',
  MASTERDOWN: 'MASTERDOWN: the replica lost its master',
  BUSY: 'BUSY: a script is running too long',
  NOAUTH: 'NOAUTH: check REDIS_PASSWORD or the password in REDIS_URL',
  WRONGPASS: 'WRONGPASS: check REDIS_PASSWORD or the password in REDIS_URL',
};

/** ioredis's own words for a command that could not be sent or was cut off. */
const CONNECTION_LOST = [/^Stream isn't writeable/, /^Connection is closed/, /^Command aborted due to connection close/, /^Reached the max retries per request limit/];

export const TIMED_OUT = 'no answer in time';
export const DISCONNECTED = 'disconnected';

/** Refused by the vault itself, without sending: the breaker is open, or the connection is not fit to use. */
export class StoreRefusal extends Error {
  constructor(
    readonly reason: string,
    /** Part of an outage, counted in its log; or not (a database Redis refused, said once; a connection being checked). */
    readonly counted: boolean,
  ) {
    super(reason);
    this.name = 'StoreRefusal';
  }
}

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
}

/** The first all-capitals word of Redis's reply, which names the error and holds no data. */
export function replyWord(error: unknown): string | null {
  const { name, message } = (error ?? {}) as ErrorShape;
  if (name !== 'ReplyError' || typeof message !== 'string') return null;
  return /^([A-Z]{2,20})\b/.exec(message)?.[1] ?? 'ERR';
}

/**
 * Why a failed command shows Redis unusable, or null when Redis answered. `connectionReason` names what the
 * connection last failed with (ECONNREFUSED…), for the commands ioredis refuses while it reconnects.
 */
export function unusableReason(error: unknown, connectionReason: string | null = null): string | null {
  if (error instanceof StoreRefusal) return error.reason;
  const word = replyWord(error);
  if (word !== null) return UNUSABLE_REPLIES[word] ?? null;
  const { code, message } = (error ?? {}) as ErrorShape;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  if (typeof message !== 'string') return null;
  if (message === 'Command timed out') return TIMED_OUT;
  if (CONNECTION_LOST.some((pattern) => pattern.test(message))) return connectionReason ?? DISCONNECTED;
  return null;
}

/**
 * Why the connection itself failed, from ioredis's `error` event: a network code, Redis's refusal of the
 * handshake, or the sentinels all failing. Null for a reply that is not about the connection (a failed SELECT is
 * reported by the connection check).
 */
export function connectionFailure(error: unknown): string | null {
  const word = replyWord(error);
  if (word !== null) return UNUSABLE_REPLIES[word] ?? null;
  const { code, message, name } = (error ?? {}) as ErrorShape;
  if (typeof code === 'string' && code.length > 0) return code;
  if (typeof message === 'string' && message.startsWith('All sentinels are unreachable')) return 'no sentinel answers';
  if (typeof message === 'string' && message.startsWith('Ready check failed')) return 'no answer to the ready check';
  return typeof name === 'string' ? name : 'error';
}

/** Network codes, as a person reads them. */
const NETWORK_FAILURES: Record<string, string> = {
  ECONNREFUSED: 'refused the connection (ECONNREFUSED): nothing listens there',
  ETIMEDOUT: 'did not take the connection in time (ETIMEDOUT)',
  ENOTFOUND: 'cannot be found (ENOTFOUND): the host name does not resolve',
  EAI_AGAIN: 'cannot be found now (EAI_AGAIN): the host name did not resolve',
  ECONNRESET: 'dropped the connection (ECONNRESET)',
  EPIPE: 'dropped the connection (EPIPE)',
  EHOSTUNREACH: 'cannot be reached (EHOSTUNREACH): no route to the host',
  ENETUNREACH: 'cannot be reached (ENETUNREACH): no route to the network',
};

/**
 * What a reason says happened, to follow "Redis at <address>": "refused the connection (ECONNREFUSED): …", "refused
 * the password (WRONGPASS: …)", "did not answer in time". A wrong password is not an unreachable Redis, and an
 * operator fixes each in another place.
 */
export function failurePhrase(reason: string): string {
  if (NETWORK_FAILURES[reason] !== undefined) return NETWORK_FAILURES[reason];
  if (reason === TIMED_OUT) return 'did not answer in time';
  if (reason === DISCONNECTED) return 'is disconnected';
  if (/^(WRONGPASS|NOAUTH)\b/.test(reason)) return `refused the password (${reason})`;
  if (/^E[A-Z]+$/.test(reason)) return `cannot be reached (${reason})`;
  return `cannot serve (${reason})`;
}
