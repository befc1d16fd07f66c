import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { Cleanup } from './cleanup';

/**
 * Pocketful's `trading_info`, the one broker call the vault makes for `POST /v1/tokens`: it names the account
 * a token belongs to. Only the import before the load touches it, so it runs inside the bench.
 */
export async function startBrokerStub(clientId: string, cleanup: Cleanup): Promise<string> {
  const body = JSON.stringify({ status: 'success', data: { client_id: clientId } });
  const server = createServer((request, response) => {
    const known = request.method === 'GET' && request.url?.split('?')[0] === '/api/v1/user/trading_info';
    response.writeHead(known ? 200 : 404, { 'content-type': 'application/json' });
    response.end(known ? body : '{"status":"error"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.add(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
