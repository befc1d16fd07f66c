import { ManualClock } from '../../test/support/manual-clock';
import { VaultMetrics } from '../metrics/vault-metrics';
import { DailyCutoff } from '../clock/daily-cutoff';
import { MemoryTokenStore } from './memory-token.store';
import { StoredToken } from './stored-token';
import { ACCOUNT_SERIES_MAX_AGE_MS, TokenMetrics } from './token-metrics';
import { TokenSettings } from './tokens.config';

const NOW = new Date('2026-03-02T04:30:00Z');
const IN_AN_HOUR = new Date(NOW.getTime() + 3_600_000);

/** The memory store, counting the calls a collection makes and failing them when told to. */
class CountedStore extends MemoryTokenStore {
  calls = 0;
  failing = false;

  override async accountIds(): Promise<string[]> {
    this.calls += 1;
    if (this.failing) throw new Error('store away');
    return super.accountIds();
  }
}

const token = (clientId: string, expiresAt: Date): StoredToken => ({
  clientId,
  accessToken: `token-of-${clientId}-0123456789`,
  tokenType: 'bearer',
  scope: 'orders holdings',
  issuedAt: NOW,
  expiresAt,
  source: 'login',
  fingerprint: `fp-${clientId}`,
});

/** `name{account="X"} value` lines of the text, as account → value. */
function series(text: string, name: string): Record<string, number> {
  const found: Record<string, number> = {};
  for (const [, account, value] of text.matchAll(new RegExp(`^${name}\\{account="([^"]+)"\\} (\\S+)$`, 'gm'))) found[account] = Number(value);
  return found;
}

describe(TokenMetrics.name, () => {
  let clock: ManualClock;
  let store: CountedStore;
  let metrics: VaultMetrics;
  let sut: TokenMetrics;

  beforeEach(async () => {
    clock = new ManualClock(NOW);
    store = new CountedStore(clock);
    metrics = new VaultMetrics();
    sut = new TokenMetrics(store, new TokenSettings({ cutoff: DailyCutoff.MIDNIGHT, allowedClientIds: ['YA0002', 'YA0009'] }), clock, metrics);
    await store.save(token('YA0002', IN_AN_HOUR));
    await store.save(token('YA0003', IN_AN_HOUR));
    await store.remove('YA0003');
  });

  afterEach(() => metrics.onApplicationShutdown());

  it('shows the live tokens from the expiry index, and every other known or expected account as 0', async () => {
    const text = await sut.series();
    expect(series(text, 'token_vault_token_present')).toEqual({ YA0002: 1, YA0003: 0, YA0009: 0 });
    expect(series(text, 'token_vault_token_expiry_timestamp_seconds')).toEqual({ YA0002: IN_AN_HOUR.getTime() / 1000 });
    expect(text).toContain('# TYPE token_vault_token_present gauge\n');
    expect(text).toContain('# TYPE token_vault_token_expiry_timestamp_seconds gauge\n');
    expect(await metrics.scrape()).toContain(text);
  });

  it('collects once per 10 s by the vault clock, however often it is asked, and answers as of that collection', async () => {
    const first = await sut.series();
    clock.advance(ACCOUNT_SERIES_MAX_AGE_MS - 1);
    await store.save(token('YA0009', IN_AN_HOUR));
    expect(await sut.series()).toBe(first);
    expect(store.calls).toBe(1);

    clock.advance(1);
    const next = await sut.series();
    expect(store.calls).toBe(2);
    expect(series(next, 'token_vault_token_present').YA0009).toBe(1);
    // An instant: the same however much later it is collected.
    expect(series(next, 'token_vault_token_expiry_timestamp_seconds').YA0002).toBe(IN_AN_HOUR.getTime() / 1000);
  });

  it('drops a token from the series once the clock passes its expiry', async () => {
    clock.set(IN_AN_HOUR);
    const text = await sut.series();
    expect(series(text, 'token_vault_token_present')).toEqual({ YA0002: 0, YA0003: 0, YA0009: 0 });
    expect(series(text, 'token_vault_token_expiry_timestamp_seconds')).toEqual({});
  });

  it('collects again when the clock goes back', async () => {
    await sut.series();
    clock.advance(-1);
    await sut.series();
    expect(store.calls).toBe(2);
  });

  it('has no series while the store fails, keeps nothing of the failure, and tries again at the next scrape', async () => {
    store.failing = true;
    const text = await sut.series();
    expect(text).toContain('# TYPE token_vault_token_present gauge\n');
    expect(series(text, 'token_vault_token_present')).toEqual({});
    expect(series(text, 'token_vault_token_expiry_timestamp_seconds')).toEqual({});
    store.failing = false;
    expect(series(await sut.series(), 'token_vault_token_present')).toEqual({ YA0002: 1, YA0003: 0, YA0009: 0 });
    expect(store.calls).toBe(2);
  });

  it('collects once for any number of scrapes while a collection is under way', async () => {
    const texts = await Promise.all([sut.series(), sut.series(), sut.series()]);
    expect(store.calls).toBe(1);
    expect(new Set(texts).size).toBe(1);
  });
});
