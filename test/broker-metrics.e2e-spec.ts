import { closeAll } from './support/close-all';
import { FakePocketful } from './support/fake-pocketful';
import { OtherBrokers } from './support/other-brokers';
import { Scrape } from './support/prometheus-text';
import { importToken } from './support/token-requests';
import { json, TestVault } from './support/test-vault';
import { VaultFixture } from './support/vault-fixture';

const CALLS = 'token_vault_broker_requests_total';
const DURATIONS = 'token_vault_broker_request_duration_seconds_count';

type Other = 'zerodha' | 'upstox' | 'fyers';

/** Each broker's endpoints, as the metrics name them: the code exchange, then the whoami. */
const ENDPOINTS: Record<'pocketful' | Other, [exchange: string, whoami: string]> = {
  pocketful: ['token', 'trading_info'],
  zerodha: ['token', 'profile'],
  upstox: ['token', 'profile'],
  fyers: ['validate_authcode', 'profile'],
};

/** What the broker's redirect back carries that is a secret: the code, by the broker's name for it (Fyers' `code` is a status). */
const CODE_PARAM: Record<Other, string> = { zerodha: 'request_token', upstox: 'code', fyers: 'auth_code' };

/**
 * Every broker's calls in /metrics, labelled with the broker and its endpoint, against a vault with all four brokers
 * on, each a fake on a local port: a series from the start for each, every login's and import's calls counted and
 * timed by what they came to, and no secret in any of it.
 */
describe('broker metrics, for every broker', () => {
  let fixture: VaultFixture;
  let pocketful: FakePocketful;
  let brokers: OtherBrokers;
  let vault: TestVault;

  beforeAll(async () => {
    brokers = await OtherBrokers.start();
    fixture = await VaultFixture.start({ replicas: 0, clients: [{ name: 'ops', accounts: ['*'], admin: true }] });
    pocketful = fixture.broker;
    vault = await fixture.another({ env: brokers.variables });
  });

  afterAll(() => closeAll(() => fixture?.close(), () => brokers?.stop()));

  const scrape = async (): Promise<Scrape> => {
    const response = await vault.fetch('/metrics');
    expect(response.status).toBe(200);
    return new Scrape(await response.text());
  };

  /** A whole login through one of the other brokers: its exchange and its whoami, as a person's browser drives them; its code. */
  async function loginThrough(broker: Other, account: string): Promise<string> {
    const begun = await vault.fetch(`/${broker}/login`);
    expect(begun.status).toBe(302);
    const cookie = (begun.headers.get('set-cookie') ?? '').split(';')[0];
    const back = brokers.approve(broker, new URL(begun.headers.get('location') ?? ''), account);
    const code = back.searchParams.get(CODE_PARAM[broker]);
    expect(code).toEqual(expect.any(String));
    const page = await vault.fetch(`${back.pathname}${back.search}`, { headers: { cookie } });
    expect(page.status).toBe(200);
    return code!;
  }

  it('has each broker’s series from the start, at 0, labelled with the broker and its own endpoints', async () => {
    const metrics = await scrape();
    const expected: Record<string, number> = {};
    for (const [broker, endpoints] of Object.entries(ENDPOINTS)) {
      for (const endpoint of endpoints) {
        for (const outcome of ['ok', 'unavailable', 'timeout', 'malformed']) expected[`broker=${broker},endpoint=${endpoint},outcome=${outcome}`] = 0;
      }
    }
    expect(metrics.series(CALLS)).toEqual(expected);
  });

  it('counts and times a login’s two calls to each broker under its broker and endpoint', async () => {
    const before = await scrape();
    const login = await vault.login('YA0002', pocketful);
    expect(login.status).toBe(200);
    await loginThrough('zerodha', 'AB1234');
    await loginThrough('upstox', 'AB1234');
    await loginThrough('fyers', 'XY01234');
    const after = await scrape();

    const calls: Record<string, number> = {};
    const timed: Record<string, number> = {};
    for (const [broker, [exchange, whoami]] of Object.entries(ENDPOINTS)) {
      for (const endpoint of [exchange, whoami]) {
        calls[`broker=${broker},endpoint=${endpoint},outcome=ok`] = 1;
        timed[`broker=${broker},endpoint=${endpoint}`] = 1;
      }
    }
    expect(after.changeSince(before, CALLS)).toEqual(calls);
    expect(after.changeSince(before, DURATIONS)).toEqual(timed);
  });

  it('counts an import’s whoami by what it came to, a refusal read from inside a 2xx answer included', async () => {
    const before = await scrape();
    // Pocketful says "error" with HTTP 200: the token is refused.
    pocketful.tradingInfoReply = { status: 200, body: { status: 'error', message: 'Request Unauthorised', error_code: 40000 } };
    // A 403 from Kite that is not a TokenException says nothing of the token.
    brokers.zerodha.replyNext({ status: 403, body: { status: 'error', message: 'Insufficient permission', data: null, error_type: 'PermissionException' } });
    brokers.upstox.replyNext({ status: 200, body: { status: 'success', data: {} } });
    brokers.fyers.failNext(503);
    const tokens = {
      pocketful: pocketful.broker.mintToken('YA0003'),
      zerodha: brokers.tokenOf('zerodha', 'CD5678'),
      upstox: brokers.tokenOf('upstox', '7BAB12'),
      fyers: brokers.tokenOf('fyers', 'AB1234'),
    };
    const answers: Record<string, unknown> = {};
    try {
      for (const [broker, token] of Object.entries(tokens)) answers[broker] = (await json(await importToken(vault, token, 'ops', broker))).error;
    } finally {
      pocketful.tradingInfoReply = null;
    }
    const after = await scrape();

    expect(answers).toEqual({ pocketful: 'token_rejected', zerodha: 'broker_rejected', upstox: 'broker_malformed_response', fyers: 'broker_unavailable' });
    expect(after.changeSince(before, CALLS)).toEqual({
      'broker=pocketful,endpoint=trading_info,outcome=unauthorized': 1,
      'broker=zerodha,endpoint=profile,outcome=rejected': 1,
      'broker=upstox,endpoint=profile,outcome=malformed': 1,
      'broker=fyers,endpoint=profile,outcome=unavailable': 1,
    });
  });

  it('never carries a token, a code, an app secret or a broker’s URL, in a label or anywhere else', async () => {
    // Its own logins and imports, through every broker, so that it holds whatever order the tests run in.
    const secrets: string[] = [];
    expect((await vault.login('YA0004', pocketful)).status).toBe(200);
    for (const broker of ['zerodha', 'upstox', 'fyers'] as const) {
      const account = broker === 'fyers' ? 'XY01234' : 'AB1234';
      secrets.push(await loginThrough(broker, account));
      const token = brokers.tokenOf(broker, account);
      secrets.push(token);
      expect((await importToken(vault, token, 'ops', broker)).status).toBe(201);
    }
    const metrics = await scrape();
    const everything = [
      ...secrets,
      ...pocketful.exchangedCodes,
      ...brokers.secrets,
      pocketful.options.appSecret,
      ...Object.values(vault.keys),
      pocketful.url,
      brokers.zerodha.url,
      brokers.upstox.url,
      brokers.fyers.url,
    ];
    expect(secrets).toHaveLength(6);
    expect(everything.filter((secret) => metrics.text.includes(secret))).toEqual([]);
    const brokerLabels = metrics.samples.filter((sample) => sample.name.startsWith('token_vault_broker_')).flatMap((sample) => Object.values(sample.labels));
    expect(brokerLabels.filter((value) => !/^[a-z_]+$|^[0-9.+Inf]+$/.test(value))).toEqual([]);
  });
});
