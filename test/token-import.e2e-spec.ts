import { BROKER_NAMES } from '../src/brokers/broker-names';
import { closeAll } from './support/close-all';
import { ManualClock } from './support/manual-clock';
import { OtherBrokers } from './support/other-brokers';
import { importToken, readToken, readTokenRecord } from './support/token-requests';
import { json, TestVault } from './support/test-vault';
import { BASE_DAY, istIso } from './support/test-time';
import { VaultFixture } from './support/vault-fixture';

const TEN_AM_IST = BASE_DAY.at('10:00');
const UPSTOX_TOKEN_LIFETIME_MS = 2 * 3600_000;

type Broker = 'zerodha' | 'upstox' | 'fyers';

interface Case {
  broker: Broker;
  account: string;
  /** When the vault must say the token dies, imported at 10:00 IST. */
  expiresAt: Date;
  /** The scheme the broker's Authorization header names. */
  tokenType: string;
}

const CASES: Case[] = [
  // Kite's tokens are opaque: its 06:00 cut-off the next morning.
  { broker: 'zerodha', account: 'AB1234', expiresAt: BASE_DAY.plus(1).at('06:00'), tokenType: 'token' },
  // This Upstox's JWTs end two hours after issue, before its 03:30 cut-off: the token's own `exp` wins.
  { broker: 'upstox', account: 'AB1234', expiresAt: BASE_DAY.at('12:00'), tokenType: 'bearer' },
  { broker: 'fyers', account: 'XY01234', expiresAt: BASE_DAY.plus(1).at('06:00'), tokenType: 'bearer' },
];

/**
 * POST /v1/tokens for every broker that is on: the broker named in the body (the default broker's when absent) is
 * asked whose the token is, through its adapter against its fake on a local port, and the token is stored under that
 * account until the broker's own expiry. Redis store; the brokers run on the vault's clock.
 */
describe('POST /v1/tokens with a broker', () => {
  const clock = new ManualClock(TEN_AM_IST);
  let fixture: VaultFixture;
  let brokers: OtherBrokers;
  /** Pocketful the default broker; Zerodha, Upstox and Fyers on beside it. */
  let vault: TestVault;
  /** Zerodha the default broker (REDIRECT_URL names it); Upstox on; Pocketful and Fyers off. */
  let zerodhaFirst: TestVault;

  // The bare AB1234 is Zerodha's account where Zerodha is the default broker; Upstox's 7BAB12 is left out.
  const allowed = ['YA0003', 'zerodha:AB1234', 'upstox:AB1234', 'fyers:XY01234', 'AB1234'];

  beforeAll(async () => {
    brokers = await OtherBrokers.start({ clock, upstoxTokenLifetimeMs: UPSTOX_TOKEN_LIFETIME_MS });
    fixture = await VaultFixture.start({
      clock,
      replicas: 0,
      clients: [
        { name: 'ops', accounts: ['*'], admin: true },
        { name: 'reader', accounts: ['*'] },
      ],
      env: { ALLOWED_CLIENT_IDS: allowed.join(',') },
    });
    vault = await fixture.another({ env: brokers.variables });
    zerodhaFirst = await fixture.another({
      env: { REDIS_KEY_PREFIX: 'zerodha-first:', ...brokers.zerodha.defaultVariables, ...brokers.upstox.variables },
    });
  });

  afterAll(() => closeAll(() => fixture?.close(), () => brokers?.stop()));

  const accounts = async (on: TestVault) =>
    ((await json(await on.fetch('/v1/accounts', { as: 'ops' }))).accounts as Array<{ clientId: string; state: string }>)
      .filter((account) => account.state === 'live')
      .map((account) => account.clientId);

  describe.each(CASES)('for $broker', ({ broker, account, expiresAt, tokenType }) => {
    // First, while the account has no token: a refusal must leave it without one.
    it(`answers a token ${broker} refuses as Pocketful's refusal is answered, and stores nothing`, async () => {
      const dead = brokers.tokenOf(broker, account);
      if (broker === 'zerodha') brokers.zerodha.sandbox.end(dead);
      else if (broker === 'upstox') brokers.upstox.sandbox.revoke(dead);
      else brokers.fyers.sandbox.end(dead);
      const before = await accounts(vault);
      const response = await importToken(vault, dead, 'ops', broker);
      expect(response.status).toBe(422);
      expect(await json(response)).toEqual({ error: 'token_rejected', message: expect.stringContaining(BROKER_NAMES[broker]) });
      expect(await accounts(vault)).toEqual(before);
      expect((await vault.fetch(`/v1/tokens/${broker}/${account}`, { as: 'ops' })).status).toBe(404);
    });

    it(`asks ${broker} whose token it is and stores it as ${broker}:${account} until its broker's expiry, readable at /v1/tokens/${broker}/${account}`, async () => {
      const accessToken = brokers.tokenOf(broker, account);
      const response = await importToken(vault, accessToken, 'ops', broker);
      const body = await json(response);
      expect(response.status).toBe(201);
      expect(body).toEqual({
        clientId: `${broker}:${account}`,
        broker,
        tokenType,
        scope: '',
        source: 'import',
        issuedAt: istIso(TEN_AM_IST),
        expiresAt: istIso(expiresAt),
        expiresIn: (expiresAt.getTime() - TEN_AM_IST.getTime()) / 1000,
      });

      const read = await readTokenRecord(vault, `${broker}/${account}`, 'reader');
      expect(read).toMatchObject({ clientId: `${broker}:${account}`, broker, accessToken, source: 'import', expiresAt: istIso(expiresAt) });
      const [entry] = (await json(await vault.fetch(`/v1/audit?action=import&account=${broker}:${account}`, { as: 'ops' }))).entries as Array<Record<string, unknown>>;
      expect(entry).toMatchObject({ action: 'import', result: 'ok', client: 'ops', account: `${broker}:${account}`, fingerprint: expect.any(String) });
    });

  });

  it('refuses an account ALLOWED_CLIENT_IDS leaves out, whichever broker names it, and stores nothing', async () => {
    const response = await importToken(vault, brokers.tokenOf('upstox', '7BAB12'), 'ops', 'upstox');
    expect(response.status).toBe(403);
    expect((await json(response)).error).toBe('account_not_allowed');
    expect((await vault.fetch('/v1/tokens/upstox/7BAB12', { as: 'ops' })).status).toBe(404);
  });

  it("is for admin clients only, whatever the broker: 403 before the broker is asked", async () => {
    const profileCalls = brokers.zerodha.sandbox.profileCalls;
    const response = await importToken(vault, brokers.tokenOf('zerodha', 'CD5678'), 'reader', 'zerodha');
    expect(response.status).toBe(403);
    expect((await json(response)).error).toBe('forbidden');
    expect(brokers.zerodha.sandbox.profileCalls).toBe(profileCalls);
    expect((await vault.fetch('/v1/tokens/zerodha/CD5678', { as: 'ops' })).status).toBe(404);
  });

  it('without a broker, imports for the default broker, stored bare as before', async () => {
    const pocketfulToken = fixture.broker.broker.mintToken('YA0003');
    const response = await importToken(vault, pocketfulToken);
    expect(response.status).toBe(201);
    expect(await json(response)).toMatchObject({ clientId: 'YA0003', broker: 'pocketful' });

    const kiteToken = brokers.tokenOf('zerodha', 'AB1234');
    const imported = await importToken(zerodhaFirst, kiteToken);
    expect(imported.status).toBe(201);
    expect(await json(imported)).toMatchObject({ clientId: 'AB1234', broker: 'zerodha', tokenType: 'token', expiresAt: istIso(BASE_DAY.plus(1).at('06:00')) });
    expect(await readToken(zerodhaFirst, 'zerodha/AB1234', 'reader')).toBe(kiteToken);
    expect(await readToken(zerodhaFirst, 'AB1234', 'reader')).toBe(kiteToken);
  });

  it.each([
    ['fyers', 'fyers is not on in this vault (its API key is not set); the brokers on: zerodha, upstox'],
    ['pocketful', 'pocketful is not on in this vault (its API key is not set); the brokers on: zerodha, upstox'],
  ])('refuses %s while it is off with 400 broker_not_enabled, asking nobody and storing nothing', async (broker, message) => {
    const calls = brokers.fyers.calls.length + fixture.broker.calls.length;
    const before = await accounts(zerodhaFirst);
    const response = await importToken(zerodhaFirst, brokers.tokenOf('fyers', 'XY01234'), 'ops', broker);
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({ error: 'broker_not_enabled', message });
    expect(brokers.fyers.calls.length + fixture.broker.calls.length).toBe(calls);
    expect(await accounts(zerodhaFirst)).toEqual(before);
  });

  it.each([
    ['a broker the vault does not know', 'kotak'],
    ['a broker in capitals', 'ZERODHA'],
    ['an empty broker', ''],
    ['markup', '<script>alert(1)</script>'],
  ])('refuses %s with 400 broker_not_enabled, never quoting it back', async (_name, broker) => {
    const response = await importToken(vault, brokers.tokenOf('zerodha', 'CD5678'), 'ops', broker);
    expect(response.status).toBe(400);
    const body = await json(response);
    expect(body).toEqual({
      error: 'broker_not_enabled',
      message: 'the vault knows no broker of that name (pocketful, zerodha, upstox, fyers, dhan); the brokers on: pocketful, zerodha, upstox, fyers',
    });
    expect((await vault.fetch('/v1/tokens/zerodha/CD5678', { as: 'ops' })).status).toBe(404);
  });

  it.each([
    ['a number', 7],
    ['null', null],
    ['an array', ['zerodha']],
    ['an object', { name: 'zerodha' }],
  ])('refuses a broker that is %s with 400 invalid_request', async (_name, broker) => {
    const response = await importToken(vault, brokers.tokenOf('zerodha', 'CD5678'), 'ops', broker);
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({ error: 'invalid_request', message: 'broker must be a string, such as "zerodha"' });
  });
});
