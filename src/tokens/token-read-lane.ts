import { Injectable, Logger } from '@nestjs/common';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { mayRead, ServiceClient } from '../access/service-client';
import { ServiceClientRegistry } from '../access/service-client.registry';
import { bearerKey } from '../access/service-key.guard';
import { RequestParty } from '../access/vault-request';
import { OutcomeMetrics } from '../audit/outcome-metrics';
import { Clock } from '../clock/clock';
import { Draining } from '../http/draining';
import { HttpSettings } from '../http/http.config';
import { requestId } from '../http/request-id';
import { RequestDuration } from '../http/request-metrics';
import { API_HEADERS } from '../http/security-headers';
import { logServedRead } from '../logging/request-log';
import { VaultLog } from '../logging/vault-logger';
import { isClientId, normalizeClientId } from '../pocketful/client-id';
import { TokenServing } from './token-serving';
import { TOKEN_BODY_TYPE, tokenViewBody } from './token.views';

const PATH = '/v1/tokens/';
/** The read route's pattern, as the request metrics label it. */
const ROUTE = '/v1/tokens/:clientId';
/**
 * The headers the read route answers with (TokensController.read, the onSend hook of app.factory.ts), as the flat
 * list writeHead also takes. Handed an object per answer instead, the bench saw the old generation fill at some
 * 6 MB/s with answers' header objects and strings, and the vault's peak RSS near 200 MiB against 133 with the list
 * (a sampling heap profile of what major GCs collect showed both allocated there).
 */
const ANSWER_HEADERS: readonly string[] = ['content-type', TOKEN_BODY_TYPE, ...Object.entries(API_HEADERS).flat()];

type Listener = (request: IncomingMessage, response: ServerResponse) => void;

/** What the framework's hooks do once an answer is sent, done by the lane for its own: the request metric and line. */
export interface LaneEdge {
  duration: RequestDuration;
  log: VaultLog;
}

/**
 * The token read in its plain form, `GET /v1/tokens/ACCOUNT` with a key that may read the account, answered where
 * node:http hands the request over, ahead of Fastify's request, reply and hooks and Nest's router. At market open
 * this is nearly all of the vault's traffic, and that chain cost a read about as much CPU as all the vault's own
 * work for it: without it the bench's vault answers a fifth to a third more reads a second.
 *
 * Nothing of the read changes: the same key check and scope, the same TokenServing read (counted, audited before
 * the token leaves, one round trip), the same bytes, headers, request id, caller address, request metric, outcome
 * count and request line (at debug). Every other request goes to the framework as it came: another route or
 * method, a query (`?wait`), a path that is not a plain account id, a key that fails or may not read the account
 * (the guard counts the failure), an address the proxies do not vouch for, a draining replica. A read that is not
 * served (limited, no token, the audit or the store failing) goes to the framework too, with what the lane found
 * kept for TokenServing.serve: it is counted and recorded once, and refused, audited and logged the framework's one
 * way.
 */
@Injectable()
export class TokenReadLane {
  private readonly logger = new Logger(TokenReadLane.name);
  /** A fault after an answer went out would repeat on every read: it is said once. */
  private faultAfterAnswerSaid = false;

  constructor(
    private readonly registry: ServiceClientRegistry,
    private readonly serving: TokenServing,
    private readonly outcomes: OutcomeMetrics,
    private readonly draining: Draining,
    private readonly http: HttpSettings,
    private readonly clock: Clock,
  ) {}

  /** Puts the lane in front of the framework's handler, the first listener of the server's requests. */
  install(server: Server, edge: LaneEdge): void {
    const [framework] = server.listeners('request') as Listener[];
    if (framework === undefined) throw new Error('the token read lane goes in front of the framework, which has not made the server yet');
    const toFramework: Listener = (request, response) => framework.call(server, request, response);
    server.removeListener('request', framework);
    server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
      if (!this.take(request, response, edge, toFramework)) toFramework(request, response);
    });
  }

  /** Whether the lane answers this request (later, on its own or through the framework): false, the framework does. */
  take(request: IncomingMessage, response: ServerResponse, edge: LaneEdge, framework: Listener): boolean {
    const started = performance.now();
    const { url } = request;
    if (request.method !== 'GET' || url === undefined || !url.startsWith(PATH)) return false;
    if (this.draining.active) return false;
    const clientId = normalizeClientId(url.slice(PATH.length));
    if (!isClientId(clientId)) return false;
    const key = bearerKey(request.headers.authorization);
    const client = key === null ? null : this.registry.authenticate(key);
    if (client === null || !mayRead(client, clientId)) return false;
    const ip = this.http.trustedProxies.addressOf(request);
    if (ip === undefined || isIP(ip) === 0) return false;
    const party: RequestParty = { id: requestId(request), ip, caller: { kind: 'service', client } };
    this.serving
      .serveOrDefer(request, party, clientId)
      .then((token) => {
        if (token === null) framework(request, response);
        else this.answer(response, { url, party, client, body: tokenViewBody(token, this.clock.now()), started }, edge);
      })
      .catch((error: unknown) => this.failed(request, response, error, framework));
    return true;
  }

  private answer(response: ServerResponse, read: { url: string; party: RequestParty; client: ServiceClient; body: Buffer; started: number }, edge: LaneEdge): void {
    const headers = [...ANSWER_HEADERS, 'x-request-id', read.party.id, 'content-length', String(read.body.length)];
    // A read that began before the drain closes its connection too (http/draining.ts).
    if (this.draining.active) headers.push('connection', 'close');
    response.writeHead(200, headers);
    response.end(read.body);
    const elapsedMs = performance.now() - read.started;
    edge.duration(ROUTE, 'GET', 200, elapsedMs / 1000);
    logServedRead(edge.log, { id: read.party.id, method: 'GET', url: read.url, ip: read.party.ip }, elapsedMs);
    this.outcomes.servedRead(read.client.name);
  }

  /**
   * Only a fault of the vault's own gets here (TokenServing hands every refusal back as a value): the framework
   * answers it, logs it and records it, as it would have had it happened there. Once the answer has gone out
   * (a fault in the counts after it) there is nothing left to answer: it is logged by its type alone, as the
   * exception filter logs what it did not expect.
   */
  private failed(request: IncomingMessage, response: ServerResponse, error: unknown, framework: Listener): void {
    if (response.headersSent) {
      if (!this.faultAfterAnswerSaid) {
        this.faultAfterAnswerSaid = true;
        const name = error instanceof Error ? error.name : typeof error;
        this.logger.error(`a token read answered by the read lane failed after its answer (${name}); said once`);
      }
      if (!response.writableEnded) response.destroy();
      return;
    }
    this.serving.deferFailure(request, error);
    framework(request, response);
  }
}
