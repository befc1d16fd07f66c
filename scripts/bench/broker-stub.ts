import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage } from 'node:http';
import { AddressInfo } from 'node:net';
import { SandboxBroker } from '../../src/sandbox/sandbox-broker';
import { Cleanup } from './cleanup';

export interface BrokerStub {
  url: string;
  /** The app the vault is registered as: BROKER_API_KEY, BROKER_API_SECRET and REDIRECT_URL. */
  appId: string;
  appSecret: string;
  redirectUrl: string;
  /** Pocketful itself, as the sandbox plays it: its codes, tokens and login page (redirectAfterLogin). */
  broker: SandboxBroker;
}

/**
 * Pocketful on a local port, answering as the vault's own sandbox broker does: `/oauth2/token` (the code exchange of
 * a login) and `trading_info` (whose token it is, for a login or an import). It runs inside the bench, beside what
 * it measures, so it answers only what the bench's imports and logins ask, outside any measured load.
 * `redirectUrl` is the vault's callback as registered with the app, fixed before the vault starts.
 */
export async function startBrokerStub(redirectUrl: string, accounts: readonly string[], cleanup: Cleanup): Promise<BrokerStub> {
  const appId = 'bench-app-id';
  const appSecret = randomBytes(24).toString('base64url');
  const broker = new SandboxBroker({ appId, appSecret, redirectUrl, accounts });
  const server = createServer((request, response) => {
    void answer(broker, request).then(({ status, body }) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.add(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, appId, appSecret, redirectUrl, broker };
}

async function answer(broker: SandboxBroker, request: IncomingMessage): Promise<{ status: number; body: unknown }> {
  const path = request.url?.split('?')[0];
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  if (request.method === 'POST' && path === '/oauth2/token') {
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    return broker.exchange(request.headers.authorization, form);
  }
  if (request.method === 'GET' && path === '/api/v1/user/trading_info') return broker.tradingInfo(request.headers.authorization);
  return { status: 404, body: { status: 'error' } };
}
