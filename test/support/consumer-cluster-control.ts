import { IncomingMessage, ServerResponse } from 'node:http';
import { ConsumerCluster } from './consumer-cluster';
import { LocalHttpServer, readBody } from './local-http-server';

type Body = Record<string, unknown>;
type Move = (body: Body) => Promise<unknown> | unknown;

/**
 * The cluster's moves over HTTP, for a test written in another language that runs against it: a person logging
 * in on a replica, Pocketful revoking a token, Redis or a replica going away, the clock moving. `POST /<move>`
 * with a JSON body; 200 with the move's JSON answer, or 500 with what went wrong.
 */
export class ConsumerClusterControl extends LocalHttpServer {
  private readonly moves: Record<string, Move>;

  constructor(cluster: ConsumerCluster) {
    super((request, response) => void this.handle(request, response));
    this.moves = {
      '/login': ({ replica, account, expiresIn }) => cluster.login(Number(replica), String(account), expiresIn === undefined ? undefined : Number(expiresIn)),
      '/revoke': ({ accessToken }) => cluster.revoke(String(accessToken)),
      '/redis/stop': () => cluster.stopRedis(),
      '/redis/start': () => cluster.startRedis(),
      '/spare/start': async () => ({ url: await cluster.startSpare() }),
      '/spare/stop': () => cluster.stopSpare(),
      '/clock/minute-ends-in': ({ seconds, sameWindow }) => cluster.minuteEndsIn(Number(seconds), { sameWindow: sameWindow === true }),
    };
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const move = request.method === 'POST' ? this.moves[request.url ?? ''] : undefined;
    try {
      if (!move) throw new Error(`no move ${request.method} ${request.url}`);
      const text = await readBody(request);
      const answer = await move(text ? (JSON.parse(text) as Body) : {});
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer ?? {}));
    } catch (error) {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(error instanceof Error ? error.message : String(error));
    }
  }
}
