import { configurationProblems } from '../../test/support/configuration-problems';
import { loadConfiguration } from '../config/load-configuration';
import { httpConfig } from '../http/http.config';
import { BrokersSettings, brokersConfig, defaultBrokerOf } from './brokers.config';
import { BrokerSettings, pocketfulConfig } from './pocketful/pocketful.config';

const SLICES = [httpConfig, pocketfulConfig, brokersConfig];
const POCKETFUL = { BROKER_API_KEY: 'pf-app', BROKER_API_SECRET: 'pf-secret', REDIRECT_URL: 'http://127.0.0.1:5000/pocketful/callback' };

const load = (env: Record<string, string>) => loadConfiguration(env, SLICES);
const problems = (env: Record<string, string>) => configurationProblems(() => load(env));

describe(defaultBrokerOf.name, () => {
  it.each([
    ['http://127.0.0.1:5000/pocketful/callback', 'pocketful'],
    ['https://vault.example.com/zerodha/callback', 'zerodha'],
    ['https://vault.example.com/desk/upstox/callback/', 'upstox'],
    ['http://127.0.0.1:5000/fyers/callback', 'fyers'],
    ['http://127.0.0.1:5000/callback', 'pocketful'],
    ['http://127.0.0.1:5000/dhan/callback', 'dhan'],
    ['http://127.0.0.1:5000/angel/callback', 'pocketful'],
    [undefined, 'pocketful'],
  ])('reads %s as %s', (url, broker) => {
    expect(defaultBrokerOf(url)).toBe(broker);
  });
});

describe(BrokersSettings.name, () => {
  it('keeps every broker but Pocketful off until its key is set', () => {
    const sut = load(POCKETFUL).get(BrokersSettings);
    expect(sut.defaultBroker).toBe('pocketful');
    expect([sut.zerodha, sut.upstox, sut.fyers, sut.dhan]).toEqual([null, null, null, null]);
    expect(sut.standIns).toEqual([]);
    expect(sut.accounts.parse('pocketful:YA0002')).toBe('YA0002');
  });

  it("turns a broker on by its own names, with the real base URLs and its cut-off unless set", () => {
    const sut = load({
      ...POCKETFUL,
      ZERODHA_API_KEY: 'kite-key',
      ZERODHA_API_SECRET: 'kite-secret',
      ZERODHA_REDIRECT_URL: 'http://127.0.0.1:5000/zerodha/callback',
      UPSTOX_API_KEY: 'up-key',
      UPSTOX_API_SECRET: 'up-secret',
      UPSTOX_REDIRECT_URL: 'http://127.0.0.1:5000/upstox/callback',
      UPSTOX_TOKEN_EXPIRY_TIME: '04:15',
    }).get(BrokersSettings);
    expect(sut.zerodha).toMatchObject({ apiKey: 'kite-key', loginUrl: 'https://kite.zerodha.com', apiUrl: 'https://api.kite.trade' });
    expect(sut.zerodha?.cutoff.nextAfter(new Date('2026-01-01T00:00:00Z')).toISOString()).toBe('2026-01-01T00:30:00.000Z');
    expect(sut.upstox?.baseUrl).toBe('https://api.upstox.com');
    expect(sut.upstox?.cutoff.nextAfter(new Date('2026-01-01T00:00:00Z')).toISOString()).toBe('2026-01-01T22:45:00.000Z');
    expect(sut.fyers).toBeNull();
  });

  it('turns Dhan on by its own names, for the client DHAN_CLIENT_ID names, on its real hosts and with no daily cut-off unless set', () => {
    const DHAN = { DHAN_API_KEY: 'dhan-key', DHAN_API_SECRET: 'dhan-secret', DHAN_REDIRECT_URL: 'http://127.0.0.1:5000/dhan/callback', DHAN_CLIENT_ID: '1000000001' };
    const sut = load({ ...POCKETFUL, ...DHAN }).get(BrokersSettings);
    expect(sut.dhan).toMatchObject({
      apiKey: 'dhan-key',
      apiSecret: 'dhan-secret',
      clientId: '1000000001',
      redirectUrl: 'http://127.0.0.1:5000/dhan/callback',
      authUrl: 'https://auth.dhan.co',
      apiUrl: 'https://api.dhan.co',
      cutoff: null,
    });
    const elsewhere = load({ ...POCKETFUL, ...DHAN, DHAN_AUTH_URL: 'http://dhan-stub:8080/auth/', DHAN_API_URL: 'http://dhan-stub:8081', DHAN_TOKEN_EXPIRY_TIME: '08:30' });
    expect(elsewhere.get(BrokersSettings).dhan).toMatchObject({ authUrl: 'http://dhan-stub:8080/auth', apiUrl: 'http://dhan-stub:8081' });
    expect(elsewhere.get(BrokersSettings).dhan?.cutoff?.toString()).toBe('08:30');
  });

  it('makes Dhan the default broker when REDIRECT_URL names its callback, DHAN_CLIENT_ID still naming its client', () => {
    const dhan = { BROKER_API_KEY: 'dhan-key', BROKER_API_SECRET: 'dhan-secret', REDIRECT_URL: 'http://127.0.0.1:5000/dhan/callback' };
    expect(problems(dhan).map((problem) => /^[A-Z_]+/.exec(problem)?.[0])).toEqual(['DHAN_CLIENT_ID']);
    const sut = load({ ...dhan, DHAN_CLIENT_ID: '1000000001' }).get(BrokersSettings);
    expect(sut.defaultBroker).toBe('dhan');
    expect(sut.dhan).toMatchObject({ apiKey: 'dhan-key', apiSecret: 'dhan-secret', clientId: '1000000001' });
    expect(sut.accounts.parse('1000000001')).toBe('1000000001');
  });

  it("makes the broker REDIRECT_URL names the default, configured by OpenAlgo's BROKER_* names, and Pocketful off", () => {
    const configuration = load({ BROKER_API_KEY: 'kite-key', BROKER_API_SECRET: 'kite-secret', REDIRECT_URL: 'http://127.0.0.1:5000/zerodha/callback' });
    const sut = configuration.get(BrokersSettings);
    expect(sut.defaultBroker).toBe('zerodha');
    expect(sut.zerodha).toMatchObject({ apiKey: 'kite-key', apiSecret: 'kite-secret', redirectUrl: 'http://127.0.0.1:5000/zerodha/callback' });
    expect(sut.accounts.parse('AB1234')).toBe('AB1234');
    expect(sut.accounts.parse('pocketful:YA0002')).toBe('pocketful:YA0002');
    expect(configuration.get(BrokerSettings).enabled).toBe(false);
  });

  it('keeps Pocketful on beside another default broker when POCKETFUL_API_KEY is set', () => {
    const pocketful = load({
      BROKER_API_KEY: 'kite-key',
      BROKER_API_SECRET: 'kite-secret',
      REDIRECT_URL: 'http://127.0.0.1:5000/zerodha/callback',
      POCKETFUL_API_KEY: 'pf-app',
      POCKETFUL_API_SECRET: 'pf-secret',
      POCKETFUL_REDIRECT_URL: 'http://127.0.0.1:5000/pocketful/callback',
    }).get(BrokerSettings);
    expect(pocketful).toMatchObject({ enabled: true, appId: 'pf-app', appSecret: 'pf-secret', redirectUrl: 'http://127.0.0.1:5000/pocketful/callback' });
  });

  it('names every bad broker variable at once, never a value', () => {
    const found = problems({
      ...POCKETFUL,
      ZERODHA_API_KEY: 'kite-key',
      UPSTOX_API_KEY: 'up-key',
      UPSTOX_API_SECRET: 'up-secret-value',
      UPSTOX_REDIRECT_URL: 'not a url',
      UPSTOX_BASE_URL: 'ftp://upstox',
      FYERS_TOKEN_EXPIRY_TIME: '25:00',
      POCKETFUL_API_KEY: 'pf-other',
      DHAN_API_KEY: 'dhan-key',
      DHAN_API_SECRET: 'dhan-secret-value',
      DHAN_REDIRECT_URL: 'http://127.0.0.1:5000/dhan/callback',
      DHAN_AUTH_URL: 'auth.dhan.co',
      DHAN_TOKEN_EXPIRY_TIME: '8:30',
    });
    const named = found.map((problem) => /^[A-Z_]+/.exec(problem)?.[0]).sort();
    expect(named).toEqual(
      [
        'DHAN_AUTH_URL',
        'DHAN_CLIENT_ID',
        'DHAN_TOKEN_EXPIRY_TIME',
        'FYERS_TOKEN_EXPIRY_TIME',
        'POCKETFUL_API_SECRET',
        'POCKETFUL_REDIRECT_URL',
        'UPSTOX_BASE_URL',
        'UPSTOX_REDIRECT_URL',
        'ZERODHA_API_SECRET',
        'ZERODHA_REDIRECT_URL',
      ].sort(),
    );
    expect(found.join('\n')).not.toContain('up-secret-value');
    expect(found.join('\n')).not.toContain('dhan-secret-value');
  });
});

describe('BrokersSettings with SANDBOX=true', () => {
  const KITE = { ZERODHA_API_KEY: 'kite-key', ZERODHA_API_SECRET: 'kite-secret', ZERODHA_REDIRECT_URL: 'http://127.0.0.1:5000/zerodha/callback' };

  it("turns every broker with no key on against the vault's own stand-in, at its port", () => {
    const sut = load({ SANDBOX: 'true', PORT: '5123' }).get(BrokersSettings);
    expect(sut.standIns).toEqual(['zerodha', 'upstox', 'fyers', 'dhan']);
    expect(sut.zerodha).toMatchObject({
      apiKey: 'sandbox-app',
      apiSecret: 'sandbox-secret',
      redirectUrl: 'http://127.0.0.1:5123/zerodha/callback',
      loginUrl: 'http://127.0.0.1:5123/sandbox/zerodha',
      apiUrl: 'http://127.0.0.1:5123/sandbox/zerodha',
    });
    expect(sut.upstox).toMatchObject({ apiKey: 'sandbox-app', redirectUrl: 'http://127.0.0.1:5123/upstox/callback', baseUrl: 'http://127.0.0.1:5123/sandbox/upstox' });
    expect(sut.fyers).toMatchObject({ appId: 'SANDBOXAPP-100', redirectUrl: 'http://127.0.0.1:5123/fyers/callback', baseUrl: 'http://127.0.0.1:5123/sandbox/fyers' });
    expect(sut.dhan).toMatchObject({
      apiKey: 'sandbox-app-id',
      clientId: '1000000001',
      redirectUrl: 'http://127.0.0.1:5123/dhan/callback',
      authUrl: 'http://127.0.0.1:5123/sandbox/dhan',
      apiUrl: 'http://127.0.0.1:5123/sandbox/dhan',
    });
  });

  it("logs in to Dhan's stand-in as the first Dhan account ALLOWED_CLIENT_IDS names, or as DHAN_CLIENT_ID says", () => {
    const allowed = { SANDBOX: 'true', ALLOWED_CLIENT_IDS: 'YA0002, zerodha:AB1234, dhan:1100000042, dhan:1100000043' };
    expect(load(allowed).get(BrokersSettings).dhan?.clientId).toBe('1100000042');
    expect(load({ ...allowed, DHAN_CLIENT_ID: '1100000043' }).get(BrokersSettings).dhan?.clientId).toBe('1100000043');
    expect(load({ SANDBOX: 'true', ALLOWED_CLIENT_IDS: 'YA0002' }).get(BrokersSettings).dhan?.clientId).toBe('1000000001');
  });

  it('keeps a broker whose key is set on its real URLs, beside the stand-ins of the others', () => {
    const sut = load({ SANDBOX: 'true', ...KITE }).get(BrokersSettings);
    expect(sut.standIns).toEqual(['upstox', 'fyers', 'dhan']);
    expect(sut.zerodha).toMatchObject({ apiKey: 'kite-key', apiSecret: 'kite-secret', loginUrl: 'https://kite.zerodha.com', apiUrl: 'https://api.kite.trade' });
    expect(sut.upstox?.baseUrl).toBe('http://127.0.0.1:5000/sandbox/upstox');
  });

  it("keeps the default broker configured by OpenAlgo's BROKER_* names on its real URLs", () => {
    const sut = load({ SANDBOX: 'true', BROKER_API_KEY: 'up-key', BROKER_API_SECRET: 'up-secret', REDIRECT_URL: 'http://127.0.0.1:5000/upstox/callback' }).get(
      BrokersSettings,
    );
    expect(sut.standIns).toEqual(['zerodha', 'fyers', 'dhan']);
    expect(sut.upstox).toMatchObject({ apiKey: 'up-key', baseUrl: 'https://api.upstox.com' });
  });

  it("takes a stand-in broker's URL as set, over the stand-in's", () => {
    const sut = load({ SANDBOX: 'true', FYERS_BASE_URL: 'http://fyers-stub:8080/' }).get(BrokersSettings);
    expect(sut.standIns).toContain('fyers');
    expect(sut.fyers?.baseUrl).toBe('http://fyers-stub:8080');
  });
});
