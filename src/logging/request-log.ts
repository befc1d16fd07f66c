import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Level } from 'pino';
import { Clock } from '../clock/clock';
import { VaultLog } from './vault-logger';

/** Probes and scrapes come every few seconds and would drown the rest. */
const QUIET = /^\/(health\/|metrics|favicon\.ico)/;
/** The token read's routes, by pattern: the account bare or broker-qualified, and the broker named in the path. */
const TOKEN_READ_ROUTES: ReadonlySet<string> = new Set(['/v1/tokens/:clientId', '/v1/tokens/:broker/:id']);
const isTokenRead = (request: FastifyRequest): boolean => request.method === 'GET' && TOKEN_READ_ROUTES.has(request.routeOptions.url ?? '');
/** A served token read is in the audit trail already; at market open there are thousands a second. */
const SERVED_READ: Level = 'debug';

/** What a request line names of the request (log-serializers.ts keeps only these, headers never). */
interface Requested {
  id: string;
  method: string;
  url: string;
  ip: string;
}

const MINUTE_MS = 60_000;
const UNMATCHED_NOTE = 'matched no route; until the next minute, further such requests are logged at debug';

/**
 * A request that matched no route is anyone's, with whatever path they typed, and costs them nothing to repeat: the
 * first of each minute is logged at info, the rest at debug, so that a scan of the vault's paths is seen without
 * flooding the log. token_vault_http_request_duration_seconds{route="unmatched"} counts every one.
 */
class UnmatchedRequests {
  private minute = Number.NaN;

  constructor(private readonly clock: Clock) {}

  /** True for the first request of the clock's minute. */
  firstThisMinute(): boolean {
    const minute = Math.floor(this.clock.now().getTime() / MINUTE_MS);
    if (minute === this.minute) return false;
    this.minute = minute;
    return true;
  }
}

function levelOf(request: FastifyRequest, reply: FastifyReply): Level {
  // A token read refused for want of its store or its audit trail: the cause is logged where it happens, the store's
  // once per interval (redis/redis-outage-log.ts); a line per read would be thousands a second at market open.
  if (reply.statusCode === 503 && isTokenRead(request)) return 'debug';
  // Past a limit, a client that keeps retrying makes a refusal per request: the limit that refused says so once
  // (rate-limit/rate-limiter.ts overLimitWarning, access/auth-failure-limiter.ts, token-feed/held-requests.ts), and
  // metrics and the audit trail count every one.
  if (reply.statusCode === 429) return 'debug';
  if (reply.statusCode >= 500) return 'error';
  if (reply.statusCode >= 400) return 'warn';
  return isTokenRead(request) ? SERVED_READ : 'info';
}

function logCompleted(log: VaultLog, level: Level, request: Requested, statusCode: number, elapsedMs: number, note?: string): void {
  log[level]({ req: request, res: { statusCode }, responseTime: Math.round(elapsedMs), ...(note && { note }) }, 'request completed');
}

/**
 * One line per request when it completes, with its id, method, path (query values left out), status and time.
 * A Fastify hook rather than a middleware holding a logger per request in an AsyncLocalStorage: on Node 20 that
 * turns on promise hooks for every promise in the process (vault-logger.ts).
 */
export function registerRequestLog(fastify: FastifyInstance, log: VaultLog, clock: Clock): void {
  const unmatched = new UnmatchedRequests(clock);
  fastify.addHook('onResponse', (request, reply, done) => {
    if (request.is404) {
      const first = unmatched.firstThisMinute();
      const level = first ? 'info' : 'debug';
      if (log.isLevelEnabled(level)) logCompleted(log, level, request, reply.statusCode, reply.elapsedTime, first ? UNMATCHED_NOTE : undefined);
    } else {
      const level = levelOf(request, reply);
      if (log.isLevelEnabled(level) && !QUIET.test(request.url)) logCompleted(log, level, request, reply.statusCode, reply.elapsedTime);
    }
    done();
  });
}
