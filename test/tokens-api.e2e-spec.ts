import { FakePocketful } from './support/fake-pocketful';
import { ManualClock } from './support/manual-clock';
import { importToken, readToken, readTokenRecord } from './support/token-requests';
import { DEFAULT_CLIENTS, json, TestVault } from './support/test-vault';
import { BASE_DAY, istIso } from './support/test-time';
import { VaultFixture } from './support/vault-fixture';

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+05:30$/;
const TEN_AM_IST = BASE_DAY.at('10:00');
const MIDNIGHT_AFTER = BASE_DAY.plus(1).at('00:00');
/** Zerodha on beside Pocketful (the default broker): its accounts are written zerodha:AB1234. No call reaches Kite here. */
const ZERODHA_ON = {
  ZERODHA_API_KEY: 'kitekey0123abcd',
  ZERODHA_API_SECRET: 'kite-secret-0123456789',
  ZERODHA_REDIRECT_URL: 'http://127.0.0.1:5000/zerodha/callback',
};

describe.each(['memory', 'redis'] as const)('token API (%s store)', (store) => {
  let fixture: VaultFixture;
  let broker: FakePocketful;
  let clock: ManualClock;
  let vault: TestVault;
  let tests = 0;

  beforeAll(async () => {
    fixture = await VaultFixture.start({
      store,
      env: ZERODHA_ON,
      clients: [...DEFAULT_CLIENTS, { name: 'everything-reader', accounts: ['*'] }],
      replicas: 0,
    });
    broker = fixture.broker;
  });

  /** Each test has a vault of its own, on Redis under a key prefix of its own. */
  beforeEach(async () => {
    clock = new ManualClock(TEN_AM_IST);
    tests += 1;
    vault = await fixture.another({ clock, env: store === 'redis' ? { REDIS_KEY_PREFIX: `t${tests}:` } : {} });
  });

  afterEach(() => vault.close());

  afterAll(() => fixture?.close());

  describe('GET /v1/tokens/:clientId', () => {
    it('serves the live token with its times in IST and seconds to expiry, never cached', async () => {
      await vault.login('YA0002', broker);
      clock.advance(90_000);
      const response = await vault.fetch('/v1/tokens/YA0002', { as: 'strategy-a' });
      const body = await json(response);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(Object.keys(body).sort()).toEqual(
        ['accessToken', 'broker', 'clientId', 'expiresAt', 'expiresIn', 'issuedAt', 'scope', 'source', 'tokenType'].sort(),
      );
      expect(body).toMatchObject({ clientId: 'YA0002', broker: 'pocketful', tokenType: 'bearer', scope: 'orders holdings', source: 'login' });
      expect(body.issuedAt).toBe(istIso(TEN_AM_IST));
      expect(body.expiresAt).toBe(istIso(MIDNIGHT_AFTER));
      expect(body.expiresIn).toBe(14 * 3600 - 90);
      expect(broker.broker.tradingInfo(`Bearer ${body.accessToken}`).status).toBe(200);
    });

    it('reads a lower-case client id as the same account', async () => {
      await vault.login('YA0002', broker);
      expect((await vault.fetch('/v1/tokens/ya0002', { as: 'strategy-a' })).status).toBe(200);
    });

    it("answers 404 token_not_found when no token is stored, sending whoever reads it to the account's broker's login", async () => {
      const response = await vault.fetch('/v1/tokens/YA0003', { as: 'ops' });
      expect(response.status).toBe(404);
      expect(await json(response)).toEqual({ error: 'token_not_found', message: 'no live token is stored for YA0003; someone must log in at /pocketful/login' });
      const zerodha = await vault.fetch('/v1/tokens/zerodha/AB1234', { as: 'ops' });
      expect(zerodha.status).toBe(404);
      expect(await json(zerodha)).toEqual({
        error: 'token_not_found',
        message: 'no live token is stored for zerodha:AB1234; someone must log in at /zerodha/login',
      });
      const waited = await vault.fetch('/v1/tokens/zerodha:AB1234?wait=0', { as: 'ops' });
      expect(await json(waited)).toEqual({ error: 'token_not_found', message: expect.stringMatching(/ at \/zerodha\/login$/) });
    });

    it('answers 401 without a key, with a wrong key, or with another scheme', async () => {
      await vault.login('YA0002', broker);
      const attempts: Record<string, string>[] = [
        {},
        { authorization: 'Bearer tvk_not-a-real-key' },
        { authorization: `Basic ${vault.keys['strategy-a']}` },
        { authorization: `Bearer ${vault.keys['strategy-a']}x` },
      ];
      for (const headers of attempts) {
        const response = await vault.fetch('/v1/tokens/YA0002', { headers });
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
        expect((await json(response)).error).toBe('unauthorized');
      }
    });

    it("answers 403 when the key's accounts do not include this one", async () => {
      await vault.login('YA0003', broker);
      const response = await vault.fetch('/v1/tokens/YA0003', { as: 'strategy-a' });
      expect(response.status).toBe(403);
      expect((await json(response)).error).toBe('forbidden');
      expect((await vault.fetch('/v1/tokens/YA0003', { as: 'everything-reader' })).status).toBe(200);
    });

    it('serves a token issued at 23:59:59 IST for one second only', async () => {
      clock.set(BASE_DAY.at('23:59:59'));
      await vault.login('YA0002', broker);
      const body = await readTokenRecord(vault, 'YA0002', 'ops');
      expect(body.expiresAt).toBe(istIso(MIDNIGHT_AFTER));
      expect(body.expiresIn).toBe(1);
      clock.set(MIDNIGHT_AFTER);
      expect((await vault.fetch('/v1/tokens/YA0002', { as: 'ops' })).status).toBe(404);
    });

    it('gives a token issued at 00:00:00 IST the whole day, to the end of its own expires_in', async () => {
      clock.set(MIDNIGHT_AFTER);
      await vault.login('YA0002', broker);
      const body = await readTokenRecord(vault, 'YA0002', 'ops');
      // Pocketful's expires_in of 86399 s ends one second before the next midnight: the earlier one wins.
      expect(body.expiresAt).toBe(istIso(BASE_DAY.plus(1).at('23:59:59')));
      expect(body.expiresIn).toBe(86399);
    });
  });

  describe('POST /v1/tokens (import)', () => {
    it('learns the account from trading_info and stores the token under it', async () => {
      const accessToken = broker.broker.mintToken('YA0003');
      const response = await importToken(vault, accessToken);
      const body = await json(response);
      expect(response.status).toBe(201);
      expect(body).toMatchObject({ clientId: 'YA0003', broker: 'pocketful', source: 'import', expiresAt: istIso(MIDNIGHT_AFTER) });
      expect(body.issuedAt).toMatch(ISO_WITH_OFFSET);
      expect(JSON.stringify(body)).not.toContain(accessToken);
      expect(await readToken(vault, 'YA0003', 'ops')).toBe(accessToken);
    });

    it('replaces the account’s previous token', async () => {
      await vault.login('YA0002', broker);
      const accessToken = broker.broker.mintToken('YA0002');
      expect((await importToken(vault, accessToken)).status).toBe(201);
      expect(await readToken(vault, 'YA0002', 'ops')).toBe(accessToken);
    });

    it('refuses a token Pocketful does not accept, and keeps the stored one', async () => {
      await vault.login('YA0002', broker);
      const before = await readToken(vault, 'YA0002', 'ops');
      const dead = broker.broker.mintToken('YA0002');
      broker.broker.revoke(dead);
      const response = await importToken(vault, dead);
      expect(response.status).toBe(422);
      expect((await json(response)).error).toBe('token_rejected');
      expect(await readToken(vault, 'YA0002', 'ops')).toBe(before);
    });

    it('is for admin clients only', async () => {
      const response = await importToken(vault, broker.broker.mintToken('YA0002'), 'everything-reader');
      expect(response.status).toBe(403);
      expect((await vault.fetch('/v1/tokens/YA0002', { as: 'ops' })).status).toBe(404);
    });
  });

  describe('DELETE /v1/tokens/:clientId', () => {
    it('removes the token (204), then answers 404', async () => {
      await vault.login('YA0002', broker);
      const response = await vault.fetch('/v1/tokens/YA0002', { as: 'ops', method: 'DELETE' });
      expect(response.status).toBe(204);
      expect((await vault.fetch('/v1/tokens/YA0002', { as: 'ops' })).status).toBe(404);
      expect((await vault.fetch('/v1/tokens/YA0002', { as: 'ops', method: 'DELETE' })).status).toBe(404);
    });

    it("answers 404 for an account with no token, naming that account's broker's login", async () => {
      const response = await vault.fetch('/v1/tokens/zerodha:AB1234', { as: 'ops', method: 'DELETE' });
      expect(response.status).toBe(404);
      expect(await json(response)).toEqual({ error: 'token_not_found', message: expect.stringMatching(/^no live token is stored for zerodha:AB1234; .* at \/zerodha\/login$/) });
    });

    it('is for admin clients only', async () => {
      await vault.login('YA0002', broker);
      expect((await vault.fetch('/v1/tokens/YA0002', { as: 'strategy-a', method: 'DELETE' })).status).toBe(403);
      expect((await vault.fetch('/v1/tokens/YA0002', { as: 'ops' })).status).toBe(200);
    });
  });

  describe('GET /v1/accounts', () => {
    it('lists every known account with its state and expiry, never a token', async () => {
      await vault.login('YA0002', broker);
      await vault.login('YA0003', broker);
      await vault.fetch('/v1/tokens/YA0003', { as: 'ops', method: 'DELETE' });
      const response = await vault.fetch('/v1/accounts', { as: 'ops' });
      const body = await json(response);
      expect(response.status).toBe(200);
      expect(body.accounts).toEqual([
        { clientId: 'YA0002', broker: 'pocketful', state: 'live', source: 'login', issuedAt: istIso(TEN_AM_IST), expiresAt: istIso(MIDNIGHT_AFTER), expiresIn: 14 * 3600 },
        { clientId: 'YA0003', broker: 'pocketful', state: 'missing', source: 'login', issuedAt: istIso(TEN_AM_IST), expiresAt: istIso(MIDNIGHT_AFTER), expiresIn: 0 },
      ]);
      expect(JSON.stringify(body)).not.toMatch(/accessToken|\.[A-Za-z0-9_-]{43}/);
    });

    it('shows a token past its cut-off as expired', async () => {
      await vault.login('YA0002', broker);
      clock.set(MIDNIGHT_AFTER);
      const body = await json(await vault.fetch('/v1/accounts', { as: 'ops' }));
      expect(body.accounts).toEqual([expect.objectContaining({ clientId: 'YA0002', state: 'expired', expiresIn: 0 })]);
    });

    it('is for admin clients only', async () => {
      expect((await vault.fetch('/v1/accounts', { as: 'everything-reader' })).status).toBe(403);
      expect((await vault.fetch('/v1/accounts')).status).toBe(401);
    });
  });
});

describe('accounts expected by ALLOWED_CLIENT_IDS', () => {
  it('are listed as missing until someone logs in', async () => {
    const fixture = await VaultFixture.start({ store: 'memory', env: { ALLOWED_CLIENT_IDS: 'ya0002, YA0003' } });
    const { vault, broker } = fixture;
    try {
      await vault.login('YA0003', broker);
      const body = await json(await vault.fetch('/v1/accounts', { as: 'ops' }));
      expect(body.accounts.map((account: { clientId: string; state: string }) => [account.clientId, account.state])).toEqual([
        ['YA0002', 'missing'],
        ['YA0003', 'live'],
      ]);
    } finally {
      await fixture.close();
    }
  });
});

describe('a non-midnight cut-off', () => {
  it('expires tokens at TOKEN_EXPIRY_TIME in IST', async () => {
    // Before a 06:00 cut-off.
    const fixture = await VaultFixture.start({ store: 'memory', clock: new ManualClock(BASE_DAY.at('05:30')), env: { TOKEN_EXPIRY_TIME: '06:00' } });
    const { vault, broker } = fixture;
    try {
      await vault.login('YA0002', broker);
      const body = await readTokenRecord(vault, 'YA0002', 'ops');
      expect(body.expiresAt).toBe(istIso(BASE_DAY.at('06:00')));
      expect(body.expiresIn).toBe(1800);
    } finally {
      await fixture.close();
    }
  });

  it('uses a short expires_in when it ends before the cut-off', async () => {
    const fixture = await VaultFixture.start({ store: 'memory', broker: { expiresInSeconds: 600 }, clock: new ManualClock(TEN_AM_IST) });
    const { vault, broker } = fixture;
    try {
      await vault.login('YA0002', broker);
      expect((await readTokenRecord(vault, 'YA0002', 'ops')).expiresAt).toBe(istIso(BASE_DAY.at('10:10')));
    } finally {
      await fixture.close();
    }
  });
});
