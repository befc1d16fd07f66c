import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Fastify names each request, and the logger and the answer's X-Request-Id use that name: the caller's own
 * X-Request-Id when it is a sane one (so a trace crosses services), a fresh UUID otherwise. A caller's id is
 * never taken as it comes: it ends up in log lines.
 */
export function requestId(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}
