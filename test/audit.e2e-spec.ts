import type { AuditEntry } from '../src/audit/audit-log';
import { createHash } from 'node:crypto';
import { FakePocketful } from './support/fake-pocketful';
import { LogCapture } from './support/log-capture';
import { importToken, readToken } from './support/token-requests';
import { TestRedis } from './support/redis-server';
import { json, TestVault } from './support/test-vault';
import { VaultFixture } from './support/vault-fixture';

/** An entry as GET /v1/audit answers it: the trail's own, its instant as text. */
type Entry = Omit<AuditEntry, 'at'> & { at: string };

describe('the audit trail', () => {
  let fixture: VaultFixture;
  let redis: TestRedis;
  let broker: FakePocketful;
  let vault: TestVault;
  const logs = new LogCapture();
  const secrets: string[] = [];

  beforeAll(async () => {
    fixture = await VaultFixture.start({ logs, env: { AUDIT_MAX_LENGTH: '1000', RATE_LIMIT_PER_MINUTE: '100000' } });
    ({ redis, broker, vault } = fixture);
  });

  afterAll(() => fixture?.close());

  const entries = async (query = ''): Promise<Entry[]> => (await json(await vault.fetch(`/v1/audit${query}`, { as: 'ops' }))).entries;

  it('records a login, reads, an import, a report, a delete and every refusal, newest first', async () => {
    await vault.login('YA0002', broker);
    const token = await readToken(vault, 'YA0002', 'strategy-a', { headers: { 'x-request-id': 'read-1' } });
    secrets.push(token);
    await vault.fetch('/v1/tokens/YA0003', { as: 'strategy-a' });
    await vault.fetch('/v1/tokens/YA0002', { headers: { authorization: 'Bearer tvk_wrong' } });
    const imported = broker.broker.mintToken('YA0003');
    secrets.push(imported);
    await importToken(vault, imported);
    await vault.fetch('/v1/tokens/YA0003/report-invalid', { as: 'ops', method: 'POST' });
    await vault.fetch('/v1/tokens/YA0003', { as: 'ops', method: 'DELETE' });
    await vault.fetch('/v1/tokens/YA0004', { as: 'ops' });

    const trail = await entries();
    expect(trail.map((entry) => [entry.action, entry.result, entry.client, entry.account])).toEqual([
      ['read', 'token_not_found', 'ops', 'YA0004'],
      ['delete', 'ok', 'ops', 'YA0003'],
      ['report', 'live', 'ops', 'YA0003'],
      ['import', 'ok', 'ops', 'YA0003'],
      ['refused', 'unauthorized', null, 'YA0002'],
      ['refused', 'forbidden', 'strategy-a', 'YA0003'],
      ['read', 'ok', 'strategy-a', 'YA0002'],
      ['store', 'ok', 'browser', 'YA0002'],
    ]);
    const served = trail.find((entry) => entry.requestId === 'read-1')!;
    expect(served.remote).toBe('127.0.0.1');
    expect(served.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+05:30$/);
    expect(served.fingerprint).toMatch(/^[A-Za-z0-9_-]{16}$/);
    // The same token, stored by the login and served by the read, has the same fingerprint.
    expect(trail.find((entry) => entry.action === 'store')!.fingerprint).toBe(served.fingerprint);
    // Keyed: a plain hash of the token would let anyone holding a leaked token confirm it against the trail.
    expect(served.fingerprint).not.toBe(createHash('sha256').update(token).digest('base64url').slice(0, 16));
  });

  it('never holds a token, in the API or in Redis', async () => {
    const client = redis.client();
    try {
      const raw = JSON.stringify([await client.xrange('token-vault:audit', '-', '+'), await client.xrange('token-vault:audit:refusals', '-', '+')]);
      const api = JSON.stringify(await entries());
      for (const secret of secrets) {
        expect(raw).not.toContain(secret);
        expect(api).not.toContain(secret);
      }
    } finally {
      client.disconnect();
    }
  });

  it('filters by account, client and time, and pages through with next', async () => {
    expect((await entries('?account=ya0003')).map((entry) => entry.action)).toEqual(['delete', 'report', 'import', 'refused']);
    expect((await entries('?client=strategy-a')).map((entry) => entry.result).slice(-2)).toEqual(['forbidden', 'ok']);
    expect(await entries(`?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toEqual([]);
    expect((await entries(`?until=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).length).toBeGreaterThanOrEqual(8);

    const all = await entries();
    const seen: string[] = [];
    let next: string | null = null;
    do {
      const page: { entries: Entry[]; next: string | null } = await json(
        await vault.fetch(`/v1/audit?limit=3${next ? `&before=${next}` : ''}`, { as: 'ops' }),
      );
      expect(page.entries.length).toBeLessThanOrEqual(3);
      seen.push(...page.entries.map((entry) => entry.id));
      next = page.next;
    } while (next);
    expect(seen).toEqual(all.map((entry) => entry.id));
  });

  it('records the caller behind a trusted proxy by its forwarded address, and ignores the header otherwise', async () => {
    await vault.fetch('/v1/tokens/YA0002', { as: 'strategy-a', headers: { 'x-forwarded-for': '10.9.8.7', 'x-request-id': 'untrusted-1' } });
    const proxied = await fixture.another({ env: { TRUST_PROXY: '127.0.0.1' } });
    try {
      await proxied.fetch('/v1/tokens/YA0002', { as: 'strategy-a', headers: { 'x-forwarded-for': '10.9.8.7', 'x-request-id': 'trusted-1' } });
    } finally {
      await proxied.close();
    }
    const trail = await entries('?client=strategy-a&limit=5');
    expect(trail.find((entry) => entry.requestId === 'untrusted-1')!.remote).toBe('127.0.0.1');
    expect(trail.find((entry) => entry.requestId === 'trusted-1')!.remote).toBe('10.9.8.7');
  });

  it('is for admin clients only, and refuses bad filters with 400', async () => {
    expect((await vault.fetch('/v1/audit', { as: 'strategy-a' })).status).toBe(403);
    for (const query of ['?limit=0', '?limit=501', '?since=yesterday', '?account=../x', '?before=abc', '?color=red']) {
      const response = await vault.fetch(`/v1/audit${query}`, { as: 'ops' });
      expect(response.status).toBe(400);
      expect((await json(response)).error).toBe('invalid_request');
    }
  });

  it('keeps the stream bounded near AUDIT_MAX_LENGTH', async () => {
    for (let round = 0; round < 30; round += 1) {
      await Promise.all(Array.from({ length: 50 }, () => vault.fetch('/v1/tokens/YA0002', { as: 'strategy-a' })));
    }
    const client = redis.client();
    try {
      const length = await client.xlen('token-vault:audit');
      expect(length).toBeLessThan(1000 + 200);
      expect(length).toBeGreaterThanOrEqual(1000);
    } finally {
      client.disconnect();
    }
  }, 30_000);

  it('fails a token read closed when the trail cannot be written, and serves when told to fail open', async () => {
    const client = redis.client();
    try {
      // A value of another type under the stream's key makes XADD fail while the rest of Redis works.
      await client.del('token-vault:audit');
      await client.set('token-vault:audit', 'not a stream');
      const refused = await vault.fetch('/v1/tokens/YA0002', { as: 'strategy-a' });
      expect(refused.status).toBe(503);
      expect((await json(refused)).error).toBe('audit_unavailable');

      const open = await fixture.another({ env: { AUDIT_FAIL_CLOSED: 'false' } });
      try {
        expect((await open.fetch('/v1/tokens/YA0002', { as: 'strategy-a' })).status).toBe(200);
        expect(open.logs.text).toContain('without an audit entry');
      } finally {
        await open.close();
      }
    } finally {
      await client.del('token-vault:audit');
      client.disconnect();
    }
  });
});
