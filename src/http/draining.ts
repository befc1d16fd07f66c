import { Injectable } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';

/**
 * Whether this replica is on its way out. From the shutdown signal on, readiness answers 503 so that load balancers
 * and orchestrators stop sending it work, while every other request is still served, each answer closing its
 * connection so that clients come back on a new one (to another replica, once the balancer has noticed).
 */
@Injectable()
export class Draining {
  private draining = false;

  get active(): boolean {
    return this.draining;
  }

  begin(): void {
    this.draining = true;
  }
}

/**
 * `Connection: close` on every answer while draining, set as the answer goes out, so that a request that began
 * before the signal closes its connection too: no kept-alive connection is left idle for the listener's close to
 * cut under a client that is about to reuse it.
 */
export function closeConnectionsWhileDraining(fastify: FastifyInstance, draining: Draining): void {
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (draining.active) reply.header('connection', 'close');
    done(null, payload);
  });
}
