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

/** The route a request matched, as its pattern (`/v1/tokens/:clientId`), never the URL it was asked with. */
function routeOf(request: FastifyRequest): string {
  return request.is404 ? UNMATCHED : (request.routeOptions.url ?? UNMATCHED);
}

/**
 * `token_vault_http_request_duration_seconds{route,method,status}`, observed once each answer is sent. The labels
 * are bounded by the vault's routes, a handful of methods and the statuses it answers.
 */
export function registerRequestMetrics(fastify: FastifyInstance, metrics: VaultMetrics): void {
  const histogram = new Histogram({
    name: 'token_vault_http_request_duration_seconds',
    help: 'Time from a request arriving to its answer being sent, by route pattern ("unmatched" for none), method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: BUCKETS,
    registers: [metrics.registry],
  });
  const series = labelChildren((route, method, status) => histogram.labels(route, method, status));
  fastify.addHook('onResponse', (request, reply, done) => {
    const method = METHODS.has(request.method) ? request.method : 'other';
    series(routeOf(request), method, String(reply.statusCode)).observe(reply.elapsedTime / 1000);
    done();
  });
}
