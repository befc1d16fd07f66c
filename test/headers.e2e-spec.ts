import { FakePocketful } from './support/fake-pocketful';
import { TestVault } from './support/test-vault';
import { closeAll } from './support/close-all';

describe('response headers', () => {
  let broker: FakePocketful;
  let vault: TestVault;

  beforeAll(async () => {
    broker = await new FakePocketful().start();
    vault = await TestVault.start({ broker });
    await vault.login('YA0002', broker);
  });

  afterAll(async () => {
    await closeAll(() => vault.close(), () => broker.stop());
  });

  it('gives pages a strict Content-Security-Policy and the rest of helmet’s set', async () => {
    const { state } = await vault.beginLogin();
    for (const response of [await vault.fetch('/'), await vault.callback({ state, error: 'access_denied' })]) {
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('script-src');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('strict-transport-security')).toMatch(/max-age=/);
    }
  });

  it('marks every response that carries a token no-store', async () => {
    const response = await vault.fetch('/v1/tokens/YA0002', { as: 'ops' });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('answers with the caller’s X-Request-Id when it is sane, a fresh one otherwise, and logs it', async () => {
    const echoed = await vault.fetch('/v1/tokens/YA0002', { as: 'ops', headers: { 'x-request-id': 'trace-42.a_b' } });
    expect(echoed.headers.get('x-request-id')).toBe('trace-42.a_b');
    const replaced = await vault.fetch('/v1/tokens/YA0002', { as: 'ops', headers: { 'x-request-id': 'bad id <script>' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const fresh = await vault.fetch('/nowhere');
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(vault.logs.text).toContain('"id":"trace-42.a_b"');
    expect(vault.logs.text).not.toContain('<script>');
  });

  it('names no server or framework', async () => {
    for (const path of ['/', '/v1/tokens/YA0002', '/health/live', '/nowhere']) {
      const response = await vault.fetch(path, { as: 'ops' });
      expect(response.headers.get('server')).toBeNull();
      expect(response.headers.get('x-powered-by')).toBeNull();
    }
  });
});
