import { TokenFingerprint } from '../src/crypto/token-fingerprint';
import { TokenStore } from '../src/tokens/token.store';
import { closeAll } from './support/close-all';
import { FakePocketful } from './support/fake-pocketful';
import { FakeZerodha } from './support/fake-zerodha';
import { json, TestVault, TestVaultOptions } from './support/test-vault';
import { VaultFixture } from './support/vault-fixture';
import { ManualClock } from './support/manual-clock';
import { BASE_DAY, istIso } from './support/test-time';

const PREFIX = 'upgrade:';

function pageCode(html: string): string | undefined {
  return /id="code">([^<]*)</.exec(html)?.[1];
}

/**
 * A vault on both brokers, started once in the describe this is called in and closed after it: `options` (from the
 * Zerodha fake) over the fakes' own.
 */
function vaultOnBothBrokers(options: (kite: FakeZerodha) => Omit<TestVaultOptions, 'broker'>): { pocketful: FakePocketful; kite: FakeZerodha; vault: TestVault } {
  const at = {} as { brokers: BothBrokers; pocketful: FakePocketful; kite: FakeZerodha; vault: TestVault };
  beforeAll(async () => {
    at.brokers = await BothBrokers.start();
    ({ pocketful: at.pocketful, kite: at.kite } = at.brokers);
    at.vault = await TestVault.start({ broker: at.pocketful, ...options(at.kite) });
  });
  afterAll(() => at.brokers?.close(at.vault));
  return at;
}

/** Pocketful and Zerodha, each a fake of its own, for a vault that has both; `close` closes that vault first. */
class BothBrokers {
  private constructor(
    readonly pocketful: FakePocketful,
    readonly kite: FakeZerodha,
  ) {}

  static async start(): Promise<BothBrokers> {
    return new BothBrokers(await new FakePocketful().start(), await new FakeZerodha().start());
  }

  close(vault: TestVault | undefined): Promise<void> {
    return closeAll(
      () => vault?.close(),
      () => this.kite.stop(),
      () => this.pocketful.stop(),
    );
  }
}

describe('accounts across an upgrade', () => {
  let fixture: VaultFixture;
  let vault: TestVault;

  beforeAll(async () => {
    fixture = await VaultFixture.start({
      env: { REDIS_KEY_PREFIX: PREFIX },
      clients: [
        { name: 'ops', accounts: ['*'], admin: true },
        { name: 'bare', accounts: ['YA0002'] },
        { name: 'named', accounts: ['pocketful:YA0002'] },
        { name: 'kite-desk', accounts: ['zerodha:YA0002'] },
      ],
      replicas: 1,
    });
    vault = fixture.replicas[0];
  });

  afterAll(() => fixture?.close());

  it('serves a token the previous version stored under the bare id, by either name, to a key scoped either way', async () => {
    // Saved by the store itself, under the bare id, as the previous version's login did: no account parsing involved.
    const store = vault.app.get(TokenStore, { strict: false });
    const accessToken = 'pocketful-token-from-before.sig';
    const now = Date.now();
    await store.save({
      clientId: 'YA0002',
      accessToken,
      tokenType: 'bearer',
      scope: 'orders holdings',
      issuedAt: new Date(now - 60_000),
      expiresAt: new Date(now + 3_600_000),
      source: 'login',
      fingerprint: vault.app.get(TokenFingerprint, { strict: false }).of(accessToken),
    });
    const redis = fixture.redis!.client();
    try {
      // The key the previous version wrote and reads, spelled out.
      expect(await redis.exists(`${PREFIX}token:YA0002`)).toBe(1);
    } finally {
      redis.disconnect();
    }
    for (const path of ['/v1/tokens/YA0002', '/v1/tokens/pocketful/YA0002', '/v1/tokens/pocketful:YA0002', '/v1/tokens/ya0002']) {
      for (const as of ['bare', 'named']) {
        const response = await vault.fetch(path, { as });
        expect({ path, as, status: response.status }).toEqual({ path, as, status: 200 });
        expect(await json(response)).toMatchObject({ clientId: 'YA0002', broker: 'pocketful', accessToken });
      }
    }
    // Another broker's account of the same id is another account.
    expect((await vault.fetch('/v1/tokens/zerodha/YA0002', { as: 'ops' })).status).toBe(404);
    expect((await vault.fetch('/v1/tokens/YA0002', { as: 'kite-desk' })).status).toBe(403);
    expect((await vault.fetch('/v1/tokens/zerodha/YA0002', { as: 'bare' })).status).toBe(403);
  });

  it("stores a Pocketful login under the bare id, where the previous version's replicas read it", async () => {
    const redis = fixture.redis!.client();
    try {
      await redis.flushdb();
      await vault.login('YA0002', fixture.broker);
      expect(await redis.exists(`${PREFIX}token:YA0002`)).toBe(1);
      expect(await redis.keys(`${PREFIX}token:*`)).toEqual([`${PREFIX}token:YA0002`]);
      expect(await redis.hkeys(`${PREFIX}accounts`)).toEqual(['YA0002']);
    } finally {
      redis.disconnect();
    }
  });
});

describe('Zerodha as the default broker (REDIRECT_URL names /zerodha/callback)', () => {
  const at = vaultOnBothBrokers((kite) => ({
    env: kite.defaultVariables,
    clients: [
      { name: 'ops', accounts: ['*'], admin: true },
      { name: 'bare', accounts: ['AB1234'] },
      { name: 'named', accounts: ['zerodha:AB1234'] },
      { name: 'pocketful-desk', accounts: ['pocketful:AB1234'] },
    ],
  }));

  it("logs in to Zerodha with OpenAlgo's BROKER_* names and writes its accounts bare", async () => {
    const page = await at.kite.loginAt(at.vault, 'AB1234');
    const html = await page.text();
    expect({ status: page.status, code: pageCode(html) }).toEqual({ status: 200, code: undefined });
    for (const path of ['/v1/tokens/AB1234', '/v1/tokens/zerodha/AB1234']) {
      for (const as of ['bare', 'named']) {
        const response = await at.vault.fetch(path, { as });
        expect({ path, as, status: response.status }).toEqual({ path, as, status: 200 });
        expect(await json(response)).toMatchObject({ clientId: 'AB1234', broker: 'zerodha' });
      }
    }
    expect((await at.vault.fetch('/v1/tokens/AB1234', { as: 'pocketful-desk' })).status).toBe(403);
    expect((await at.vault.fetch('/v1/tokens/pocketful/AB1234', { as: 'ops' })).status).toBe(404);
  });

  it('has no Pocketful login while POCKETFUL_API_KEY is unset', async () => {
    const response = await at.vault.fetch('/pocketful/login');
    expect(response.status).toBe(404);
    expect(pageCode(await response.text())).toBe('not_found');
  });
});

describe('ALLOWED_CLIENT_IDS across brokers', () => {
  const at = vaultOnBothBrokers((kite) => ({ env: { ...kite.variables, ALLOWED_CLIENT_IDS: 'YA0002,zerodha:ab1234' } }));

  it("stores only the listed accounts of each broker, checked on the account Kite's profile names", async () => {
    expect((await at.kite.loginAt(at.vault, 'AB1234')).status).toBe(200);
    const refused = await at.kite.loginAt(at.vault, 'CD5678');
    expect(refused.status).toBe(403);
    expect(pageCode(await refused.text())).toBe('account_not_allowed');
    expect((await at.vault.fetch('/v1/tokens/zerodha/CD5678', { as: 'ops' })).status).toBe(404);
    expect((await at.vault.tryLogin('YA0002', at.pocketful)).status).toBe(200);
  });
});

describe("a Zerodha token's expiry, at its broker's cut-off", () => {
  let brokers: BothBrokers;
  let kite: FakeZerodha;
  let pocketful: FakePocketful;
  let vault: TestVault;
  let clock: ManualClock;

  const start = async (at: Date, env: Record<string, string> = {}) => {
    clock = new ManualClock(at);
    vault = await TestVault.start({ broker: pocketful, clock, env: { ...kite.variables, ...env } });
  };

  beforeEach(async () => {
    brokers = await BothBrokers.start();
    ({ pocketful, kite } = brokers);
  });

  afterEach(() => brokers?.close(vault));

  const expiryOf = async () => ((await json(await vault.fetch('/v1/tokens/zerodha/AB1234', { as: 'ops' }))) as { expiresAt: string }).expiresAt;

  it('ends a token issued at 05:59:59 IST at 06:00 that morning', async () => {
    await start(new Date(BASE_DAY.at('06:00').getTime() - 1000));
    expect((await kite.loginAt(vault, 'AB1234')).status).toBe(200);
    expect(await expiryOf()).toBe(istIso(BASE_DAY.at('06:00')));
  });

  it('ends a token issued at 06:00:00 IST at 06:00 the next morning', async () => {
    await start(BASE_DAY.at('06:00'));
    expect((await kite.loginAt(vault, 'AB1234')).status).toBe(200);
    expect(await expiryOf()).toBe(istIso(BASE_DAY.plus(1).at('06:00')));
  });

  it('takes its cut-off from ZERODHA_TOKEN_EXPIRY_TIME, and leaves Pocketful\'s at TOKEN_EXPIRY_TIME', async () => {
    await start(BASE_DAY.at('12:00'), { ZERODHA_TOKEN_EXPIRY_TIME: '07:15' });
    expect((await kite.loginAt(vault, 'AB1234')).status).toBe(200);
    expect(await expiryOf()).toBe(istIso(BASE_DAY.plus(1).at('07:15')));
    await vault.login('YA0002', pocketful);
    const pocketfulToken = (await json(await vault.fetch('/v1/tokens/YA0002', { as: 'ops' }))) as { expiresAt: string };
    expect(pocketfulToken.expiresAt).toBe(istIso(BASE_DAY.plus(1).at('00:00')));
  });
});
