import type { BrokerStub } from './broker-stub';
import { request } from './http';
import { ACCOUNT, StartedVault } from './vault';

/**
 * Imports a token the broker stub made for ACCOUNT through `POST /v1/tokens`, as an operator would, then reads it once with the reader
 * key. That answer is the body the reference servers serve, so all three targets send the same bytes.
 * Only statuses and error codes are ever reported: the bodies hold the token.
 */
export async function seedToken(vault: StartedVault, broker: BrokerStub): Promise<string> {
  const imported = await request(`${vault.url}/v1/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${vault.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ accessToken: broker.broker.mintToken(ACCOUNT) }),
  });
  if (imported.status !== 201) throw new Error(`POST /v1/tokens answered ${imported.status} ${errorCode(imported.body)}`);
  const read = await request(`${vault.url}/v1/tokens/${ACCOUNT}`, { headers: { authorization: `Bearer ${vault.readerKey}` } });
  if (read.status !== 200) throw new Error(`GET /v1/tokens/${ACCOUNT} answered ${read.status} ${errorCode(read.body)}`);
  return read.body;
}

function errorCode(body: string): string {
  try {
    const code = (JSON.parse(body) as { error?: unknown }).error;
    return typeof code === 'string' ? code : '';
  } catch {
    return '';
  }
}
