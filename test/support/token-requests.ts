import { TokenView } from '../../src/tokens/read/token-body';
import { KeyedVault } from './keyed-fetch';

/**
 * The token the vault serves for `account` to the client `as`, with its times. Anything but a 200 carrying a token
 * fails the test, naming the status and the answer's error code (never a token): a test that means to read the
 * token never goes on with nothing.
 */
export async function readTokenRecord(vault: KeyedVault, account: string, as: string, init: RequestInit = {}): Promise<TokenView> {
  const response = await vault.fetch(`/v1/tokens/${account}`, { ...init, as });
  const text = await response.text();
  let body: Partial<TokenView> & { error?: string } = {};
  try {
    body = JSON.parse(text);
  } catch {
    // Named below by its status alone.
  }
  if (response.status !== 200 || typeof body.accessToken !== 'string' || body.accessToken === '') {
    throw new Error(`reading the token of ${account} as ${as} answered ${response.status} (${body.error ?? 'no error code'})`);
  }
  return body as TokenView;
}

/** The access token the vault serves for `account` to the client `as`; fails the test as readTokenRecord does. */
export async function readToken(vault: KeyedVault, account: string, as: string, init: RequestInit = {}): Promise<string> {
  return (await readTokenRecord(vault, account, as, init)).accessToken;
}

/**
 * POST /v1/tokens as the client `as`: a token pasted from a broker's dashboard, handed in, with `broker` when given
 * (absent, the default broker's); the answer, whatever it is.
 */
export function importToken(vault: KeyedVault, accessToken: string, as = 'ops', broker?: unknown): Promise<Response> {
  const body = broker === undefined ? { accessToken } : { accessToken, broker };
  return vault.fetch('/v1/tokens', { as, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}
