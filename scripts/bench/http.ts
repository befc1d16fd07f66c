import { IncomingHttpHeaders, request as httpRequest } from 'node:http';
import type { Child } from './child';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * One request on its own connection. Node's http rather than fetch: fetch keeps idle keep-alive connections in a
 * pool that the bench would then have to know about to exit promptly.
 */
export function request(url: string, init: RequestInit = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { method: init.method ?? 'GET', headers: init.headers, agent: false, timeout: 5000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer from ${url} within 5 s`)));
    outgoing.on('error', reject);
    outgoing.end(init.body);
  });
}

/**
 * Asks `url` until it answers 200, and returns the milliseconds since `child` was spawned. Asking every 10 ms
 * bounds the error of that time; the process's exit ends the wait at once with what it printed.
 */
export async function timeToFirst200(child: Child, url: string, headers: Record<string, string> = {}, timeoutMs = 30_000): Promise<number> {
  const deadline = child.startedAt + timeoutMs;
  for (;;) {
    const status = await request(url, { headers }).then(
      (reply) => reply.status,
      () => 0,
    );
    if (status === 200) return performance.now() - child.startedAt;
    if (child.hasExited) throw new Error(`${child.name} exited before it answered 200 at ${new URL(url).pathname}:\n${child.lastOutput()}`);
    if (performance.now() > deadline) throw new Error(`${child.name} did not answer 200 at ${new URL(url).pathname} within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
