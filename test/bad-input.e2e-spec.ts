import { connect } from 'node:net';
import { BAD_REQUESTS } from './corpus/bad-requests';
import { FakePocketful } from './support/fake-pocketful';
import { rawRequest } from './support/raw-request';
import { readToken } from './support/token-requests';
import { TestVault } from './support/test-vault';
import { VaultFixture } from './support/vault-fixture';

/** What a stack trace or a library's internals look like in a response. */
const LEAKY = /\n\s+at |node_modules|Error: |FST_ERR|TypeError|undefined|\[object Object\]/;

describe('bad input on every route', () => {
  let fixture: VaultFixture;
  let broker: FakePocketful;
  let vault: TestVault;
  let before: Record<string, string>;

  beforeAll(async () => {
    fixture = await VaultFixture.start({
      // The corpus comes from one address with many bad keys: the budgets are raised so that every case reaches
      // the check it is meant for (the budgets have their own test).
      env: { AUTH_FAILURES_PER_MINUTE: '1000', RATE_LIMIT_PER_MINUTE: '100000' },
      clients: [
        { name: 'admin', accounts: ['*'], admin: true },
        { name: 'reader', accounts: ['YA0002'] },
      ],
    });
    ({ broker, vault } = fixture);
    await vault.login('YA0002', broker);
    await vault.login('YA0003', broker);
    before = await tokens();
  });

  afterAll(() => fixture?.close());

  async function tokens(): Promise<Record<string, string>> {
    return { YA0002: await readToken(vault, 'YA0002', 'admin'), YA0003: await readToken(vault, 'YA0003', 'admin') };
  }

  it('has a corpus worth sending', () => {
    expect(BAD_REQUESTS.length).toBeGreaterThanOrEqual(200);
    expect(new Set(BAD_REQUESTS.map((bad) => bad.name)).size).toBe(BAD_REQUESTS.length);
  });

  it.each(BAD_REQUESTS.map((bad) => [bad.name, bad] as const))('refuses %s with a 4xx and a clear error', async (_name, bad) => {
    const headers = { ...bad.headers };
    if (bad.auth) headers.authorization = `Bearer ${vault.keys[bad.auth]}`;
    const response = await rawRequest(vault.url, { ...bad, headers });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.text).not.toMatch(LEAKY);
    // The page routes (GETs under /pocketful/) answer pages; a request that matches no route (POST on login)
    // answers JSON, like any unknown route.
    if (bad.method === 'GET' && bad.path.startsWith('/pocketful/')) {
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.text).toMatch(/id="code">[a-z_]+</);
    } else {
      const body = JSON.parse(response.text);
      expect(body.error).toMatch(/^[a-z_]+$/);
      expect(typeof body.message).toBe('string');
      expect(body.message.length).toBeGreaterThan(5);
    }
  });

  it.each([
    ['a malformed request line', 'NOT HTTP AT ALL\r\n\r\n', 400],
    ['a header larger than the server takes', `GET /v1/accounts HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`, 431],
    ['a header without a colon', 'GET /v1/accounts HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n', 400],
  ])('answers %s with the vault error shape', async (_name, bytes, status) => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(vault.url).port), '127.0.0.1', () => socket.write(bytes));
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer.startsWith(`HTTP/1.1 ${status} `)).toBe(true);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
    expect(body.error).toMatch(/^[a-z_]+$/);
    expect(body.message).not.toMatch(LEAKY);
  });

  it('leaves every stored token as it was and keeps serving', async () => {
    expect(await tokens()).toEqual(before);
    expect((await vault.fetch('/health/ready')).status).toBe(200);
    expect(broker.exchangedCodes).toHaveLength(2);
  });
});
