import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Histogram } from 'prom-client';
import { labelChildren } from '../metrics/label-children';
import { VaultMetrics } from '../metrics/vault-metrics';

/** From half a millisecond (a token read served from one script call) to ten seconds (a login waiting on Pocketful). */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Anything else a client sends as its method is one label value, not one each. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** A request that matched no route: its URL is whatever the caller typed, so it never becomes a label. */
const UNMATCHED = 'unmatched';

/** What records the time of an answer held open on purpose, in place of the request histogram: seconds and status. */
export type HeldAnswerTiming = (seconds: number, status: number) => void;

const HELD = Symbol('heldAnswer');

type Held = FastifyRequest & { [HELD]?: HeldAnswerTiming };

const UNTIMED: HeldAnswerTiming = () => undefined;

/**
 * Leaves a request out of `token_vault_http_request_duration_seconds`: one the vault holds open on purpose (a read
 * waiting with `?wait`, an event stream). Its time is how long the caller asked to be held, not how long the vault
 * took: a 9 s wait would land in the 5–10 s bucket of the latency a dashboard reads, and every stream above 10 s.
 * `timing` gets its time and status once it is answered; without it, the feature counts it its own way.
 */
export function timeHeldApart(request: FastifyRequest, timing: HeldAnswerTiming = UNTIMED): void {
  (request as Held)[HELD] = timing;
}

/** The route a request matched, as its pattern (`/v1/tokens/:clientId`), never the URL it was asked with. */
function routeOf(request: FastifyRequest): string {
  return request.is404 ? UNMATCHED : (request.routeOptions.url ?? UNMATCHED);
}

/**
 * `token_vault_http_request_duration_seconds{route,method,status}`, observed once each answer is sent, but for the
 * requests held open on purpose (`timeHeldApart`). The labels are bounded by the vault's routes, a handful of
 * methods and the statuses it answers.
 */
export function registerRequestMetrics(fastify: FastifyInstance, metrics: VaultMetrics): void {
  const histogram = new Histogram({
    name: 'token_vault_http_request_duration_seconds',
    help: 'Time from a request arriving to its answer being sent, by route pattern ("unmatched" for none), method and status; reads held by ?wait and event streams are apart.',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: BUCKETS,
    registers: [metrics.registry],
  });
  const series = labelChildren((route, method, status) => histogram.labels(route, method, status));
  fastify.addHook('onResponse', (request, reply, done) => {
    const held = (request as Held)[HELD];
    if (held === undefined) {
      const method = METHODS.has(request.method) ? request.method : 'other';
      series(routeOf(request), method, String(reply.statusCode)).observe(reply.elapsedTime / 1000);
    } else {
      held(reply.elapsedTime / 1000, reply.statusCode);
    }
    done();
  });
}
