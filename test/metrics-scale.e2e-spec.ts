import { get } from 'node:http';
import Redis from 'ioredis';
import { TokenStore } from '../src/tokens/token.store';
import { ACCOUNT_SERIES_MAX_AGE_MS } from '../src/tokens/token-metrics';
import { closeAll } from './support/close-all';
import { stallsDuring } from './support/loop-stalls';
import { ManualClock } from './support/manual-clock';
import { Scrape } from './support/prometheus-text';
import { TestVault } from './support/test-vault';
import { BASE_DAY } from './support/test-time';
import { until } from './support/until';
import { saveManyTokens } from './support/many-tokens';
import { VaultFixture } from './support/vault-fixture';

const ACCOUNTS = 10_000;
const MIDNIGHT = BASE_DAY.plus(1).at('00:00');
/**
 * The longest a scrape's collection may hold the event loop, whatever the machine's load (loop-stalls.ts): the
 * vault aims at 50 ms; a collection of 10,000 accounts through prom-client's Gauge held it for over 100 ms on its
 * own, writing the series out, on an idle machine.
 */
const LONGEST_STALL_MS = 100;
/** Anyone looping on /metrics at once. */
const CONCURRENT = 8;

/**
 * What a scrape asks of Redis, with 10 accounts and with 10,000: counted through MONITOR, on a real redis-server
 * shared by two vaults under key prefixes of their own, while the vault's clock (a manual one) stands or moves past
 * the age at which the accounts' series are collected again.
 */
describe('/metrics at scale', () => {
  let fixture: VaultFixture;
  let monitor: Redis | null = null;
  let marker: Redis | null = null;
  const clock = new ManualClock(BASE_DAY.at('10:00'));
  const vaults: Record<string, TestVault> = {};
  const seen: string[][] = [];

  async function vaultWith(accounts: number, name: string): Promise<TestVault> {
    const vault = await fixture.another({ env: { REDIS_KEY_PREFIX: `${name}:` } });
    await saveManyTokens(vault.app.get(TokenStore), accounts, { issuedAt: clock.now(), expiresAt: MIDNIGHT });
    return vault;
  }

  beforeAll(async () => {
    fixture = await VaultFixture.start({
      clock,
      env: { ALERT_SCAN_INTERVAL: '1h', MISSING_TOKEN_CHECK_AT: 'off', REDIS_COMMAND_TIMEOUT_MS: '10000' },
      replicas: 0,
    });
    vaults.small = await vaultWith(10, 'small');
    vaults.large = await vaultWith(ACCOUNTS, 'large');
    const client = fixture.redis.client();
    monitor = await client.monitor();
    client.disconnect();
    monitor.on('monitor', (_time: string, args: string[]) => seen.push(args));
    marker = fixture.redis.client();
    await marker.ping();
  }, 120_000);

  afterAll(() => closeAll(() => monitor?.disconnect(), () => marker?.disconnect(), () => fixture?.close()), 30_000);

  /** The commands Redis received on `name`'s keys while `work` ran, once MONITOR has caught up with a marker. */
  async function commandsDuring(name: string, work: () => Promise<unknown>): Promise<string[]> {
    seen.length = 0;
    await work();
    await marker!.echo('metrics-scale-marker');
    await until(() => seen.some((args) => args[0].toLowerCase() === 'echo'), 10_000, 'MONITOR to catch up');
    const upToMarker = seen.slice(0, seen.findIndex((args) => args[0].toLowerCase() === 'echo'));
    // What a replica sends on its own schedule (the event feed's follower, the replica heartbeat) is left out.
    return upToMarker
      .filter((args) => args.slice(1).some((arg) => arg.startsWith(`${name}:`) && !/:(replicas|events)$/.test(arg)))
      .map((args) => args[0].toLowerCase())
      .sort();
  }

  async function scrape(name: string): Promise<string> {
    const response = await vaults[name].fetch('/metrics');
    expect(response.status).toBe(200);
    return response.text();
  }

  it('collects 10,000 accounts with the same two store commands as 10, and shows every one', async () => {
    clock.advance(ACCOUNT_SERIES_MAX_AGE_MS);
    const small = await commandsDuring('small', () => scrape('small'));
    let text = '';
    const large = await commandsDuring('large', async () => {
      text = await scrape('large');
    });
    expect(large).toEqual(small);
    expect(large).toEqual(['hkeys', 'zrangebyscore']);

    const metrics = new Scrape(text);
    const present = Object.values(metrics.series('token_vault_token_present'));
    expect(present).toHaveLength(ACCOUNTS);
    expect(present.every((value) => value === 1)).toBe(true);
    expect(metrics.value('token_vault_token_expiry_timestamp_seconds', { account: 'ACC09999' })).toBe(MIDNIGHT.getTime() / 1000);
  });

  it('answers scrapes from that collection for 10 s by the vault clock, then collects once again', async () => {
    clock.advance(ACCOUNT_SERIES_MAX_AGE_MS);
    const texts: string[] = [];
    const within = await commandsDuring('large', async () => {
      for (let scrapes = 0; scrapes < 20; scrapes += 1) {
        if (scrapes > 0) clock.advance(500);
        texts.push(await scrape('large'));
      }
      clock.advance(ACCOUNT_SERIES_MAX_AGE_MS - 1 - 19 * 500);
      texts.push(await scrape('large'));
    });
    expect(within).toEqual(['hkeys', 'zrangebyscore']);
    // Each answer is the collection's, every account in it.
    const expiries = texts.map((text) => Object.keys(new Scrape(text).series('token_vault_token_expiry_timestamp_seconds')).length);
    expect(expiries).toEqual(texts.map(() => ACCOUNTS));

    clock.advance(1);
    expect(await commandsDuring('large', () => scrape('large'))).toEqual(['hkeys', 'zrangebyscore']);
  });

  it(`gives ${CONCURRENT} scrapes at once one collection of the accounts`, async () => {
    clock.advance(ACCOUNT_SERIES_MAX_AGE_MS);
    let texts: string[] = [];
    const commands = await commandsDuring('large', async () => {
      texts = await Promise.all(Array.from({ length: CONCURRENT }, () => scrape('large')));
    });
    expect(commands).toEqual(['hkeys', 'zrangebyscore']);
    const present = texts.map((text) => Object.keys(new Scrape(text).series('token_vault_token_present')).length);
    expect(present).toEqual(Array(CONCURRENT).fill(ACCOUNTS));
  });

  /**
   * A scrape whose answer is counted and dropped, through node:http: the test's client runs in the vault's process,
   * and reading 20,000 series back with fetch would hold the loop itself.
   */
  const droppedScrape = (name: string) =>
    new Promise<{ status: number; bytes: number }>((resolve, reject) => {
      get(`${vaults[name].url}/metrics`, (response) => {
        let bytes = 0;
        response.on('data', (chunk: Buffer) => (bytes += chunk.length));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, bytes }));
        response.on('error', reject);
      }).on('error', reject);
    });

  it('never holds the event loop for long while it collects 10,000 accounts', async () => {
    // Once warm, as a vault is after its first scrapes: the first run of any code costs its compilation too.
    clock.advance(ACCOUNT_SERIES_MAX_AGE_MS);
    expect((await droppedScrape('large')).status).toBe(200);
    clock.advance(ACCOUNT_SERIES_MAX_AGE_MS);
    let answer = { status: 0, bytes: 0 };
    const stalls = await stallsDuring(async () => {
      answer = await droppedScrape('large');
    });
    expect(answer.status).toBe(200);
    expect(answer.bytes).toBeGreaterThan(ACCOUNTS * 2 * 40);
    expect(stalls.longestHeldMs).toBeLessThan(LONGEST_STALL_MS);
  });
});
