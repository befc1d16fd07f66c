import { performance } from 'node:perf_hooks';
import { inspect } from 'node:util';
import { TokenVaultClient, TokenVaultClientOptions, VaultError } from '../clients/typescript/src';
import { ConsumerCluster, LIMITED_BUDGET, ServiceName } from './support/consumer-cluster';
import { freePort } from './support/free-port';
import { readTokenRecord } from './support/token-requests';
import { until } from './support/until';

/** What a promise settles to, without waiting for it. */
async function stateOf(promise: Promise<unknown>): Promise<'pending' | 'settled'> {
  const pending = Symbol('pending');
  const first = await Promise.race([promise.then(() => null, () => null), new Promise((resolve) => setImmediate(() => resolve(pending)))]);
  return first === pending ? 'pending' : 'settled';
}

async function rejectionOf(promise: Promise<unknown>): Promise<VaultError> {
  const outcome = await promise.then(() => null, (error: unknown) => error);
  if (!(outcome instanceof VaultError)) throw new Error(`expected a VaultError, got ${inspect(outcome)}`);
  return outcome;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the TypeScript client, against two vault replicas on one Redis', () => {
  let cluster: ConsumerCluster;

  beforeAll(async () => {
    cluster = await ConsumerCluster.start();
  }, 30_000);

  afterAll(() => cluster?.close());

  /** A client of replica 0 whose clock can be moved ahead by `shift.ms`. */
  function clientOf(options: Partial<TokenVaultClientOptions> = {}, shift = { ms: 0 }, as: ServiceName = 'strategy-a') {
    return new TokenVaultClient({
      url: cluster.replicas[0].url,
      serviceKey: cluster.keyOf(as),
      clock: () => performance.now() + shift.ms,
      ...options,
    });
  }

  /** What the vault itself serves for an account right now. */
  const served = (account: string) => readTokenRecord(cluster.replicas[1], account, 'ops');

  describe('caching', () => {
    it('fetches a token once, then hands it out from its cache (ids in any case)', async () => {
      await cluster.login(1, 'YA0101');
      const sut = clientOf();
      const first = await sut.token('YA0101');
      const second = await sut.token('ya0101');
      expect(first).toMatchObject({ clientId: 'YA0101', broker: 'pocketful', tokenType: 'bearer', source: 'login', accessToken: (await served('YA0101')).accessToken });
      expect(first.expiresIn).toBeGreaterThan(3600);
      expect(second.accessToken).toBe(first.accessToken);
      expect(await cluster.reads('strategy-a', 'YA0101')).toBe(1);
    });

    it('keeps a token fetched while another account was dropped (a 404 for it), and asks the vault once', async () => {
      const sut = clientOf();
      const waiting = sut.token('YA0107', { wait: 20 });
      waiting.catch(() => undefined);
      await pause(500);
      expect(await rejectionOf(sut.token('YA0108'))).toMatchObject({ status: 404, error: 'token_not_found' });
      await cluster.login(1, 'YA0107');
      const first = await waiting;
      expect((await sut.token('YA0107')).accessToken).toBe(first.accessToken);
      expect(await cluster.reads('strategy-a', 'YA0107')).toBe(1);
    }, 30_000);

    it('sends one request for callers that ask at the same moment', async () => {
      await cluster.login(0, 'YA0102');
      const sut = clientOf();
      const tokens = await Promise.all(Array.from({ length: 8 }, () => sut.token('YA0102')));
      expect(new Set(tokens.map((token) => token.accessToken)).size).toBe(1);
      expect(await cluster.reads('strategy-a', 'YA0102')).toBe(1);
    });

    it('asks the vault again once the token is within the refresh margin of its end', async () => {
      await cluster.login(0, 'YA0103');
      const shift = { ms: 0 };
      const sut = clientOf({ refreshMarginSeconds: 60 }, shift);
      const { expiresIn } = await sut.token('YA0103');
      shift.ms = (expiresIn - 75) * 1000;
      expect((await sut.token('YA0103')).expiresIn).toBeLessThanOrEqual(75);
      expect(await cluster.reads('strategy-a', 'YA0103')).toBe(1);
      shift.ms = (expiresIn - 45) * 1000;
      await sut.token('YA0103');
      expect(await cluster.reads('strategy-a', 'YA0103')).toBe(2);
    });

    it('hands out issuedAt and expiresAt as Dates, the instants the vault wrote', async () => {
      await cluster.login(0, 'YA0105');
      const token = await clientOf().token('YA0105');
      const record = await served('YA0105');
      expect(token.issuedAt).toBeInstanceOf(Date);
      expect(token.expiresAt).toBeInstanceOf(Date);
      expect(token.issuedAt.getTime()).toBe(Date.parse(record.issuedAt));
      expect(token.expiresAt.getTime()).toBe(Date.parse(record.expiresAt));
    });

    it('reads an account named with its broker, by option or by name alike, as one cached token', async () => {
      await cluster.login(1, 'YA0106');
      const sut = clientOf();
      const byOption = await sut.token('ya0106', { broker: 'Pocketful' });
      const byName = await sut.token('pocketful:ya0106');
      expect(byOption).toMatchObject({ clientId: 'YA0106', broker: 'pocketful', accessToken: (await served('YA0106')).accessToken });
      expect(byName.accessToken).toBe(byOption.accessToken);
      expect(await cluster.reads('strategy-a', 'YA0106')).toBe(1);
      await expect(sut.token('zerodha:AB1234', { broker: 'upstox' })).rejects.toThrow('the account zerodha:AB1234 names another broker than upstox');
    });

    it('never caches a token that expires within the margin', async () => {
      await cluster.login(1, 'YA0104', 40);
      const sut = clientOf({ refreshMarginSeconds: 60 });
      const first = await sut.token('YA0104');
      await sut.token('YA0104');
      expect(first.expiresIn).toBeLessThanOrEqual(40);
      expect(await cluster.reads('strategy-a', 'YA0104')).toBe(2);
    });
  });

  describe('waiting for the morning login', () => {
    it('waits on one replica for a login completed on the other, in one long request', async () => {
      const sut = clientOf();
      const waiting = sut.token('YA0201', { wait: 20 });
      waiting.catch(() => undefined);
      await pause(1000);
      expect(await stateOf(waiting)).toBe('pending');
      await cluster.login(1, 'YA0201');
      const token = await waiting;
      expect(token.accessToken).toBe((await served('YA0201')).accessToken);
      // Each request that ran out without a token is in the audit trail as a failed read.
      expect(await cluster.refusals('strategy-a', 'YA0201', 'token_not_found')).toBe(0);
    }, 30_000);

    it('asks again when it waits longer than one request may', async () => {
      const sut = clientOf({ longestWaitSeconds: 1 });
      const waiting = sut.token('YA0202', { wait: 20 });
      waiting.catch(() => undefined);
      await until(async () => (await cluster.refusals('strategy-a', 'YA0202', 'token_not_found')) >= 2, 15_000, 'two waits run out');
      await cluster.login(1, 'YA0202');
      expect((await waiting).accessToken).toBe((await served('YA0202')).accessToken);
    }, 30_000);

    it('gives up with token_not_found when no login comes in time', async () => {
      const sut = clientOf();
      const started = performance.now();
      const error = await rejectionOf(sut.token('YA0203', { wait: 2 }));
      expect(performance.now() - started).toBeGreaterThanOrEqual(1900);
      expect(error).toMatchObject({ status: 404, error: 'token_not_found', temporary: false });
    }, 30_000);
  });

  describe('reporting a token Pocketful refused', () => {
    it('drops the cached token and returns the verdict "invalid" when Pocketful refuses it', async () => {
      await cluster.login(0, 'YA0301');
      const sut = clientOf();
      const token = await sut.token('YA0301');
      cluster.revoke(token.accessToken);
      expect(await sut.reportInvalid('YA0301')).toEqual({ clientId: 'YA0301', verdict: 'invalid', checked: true, nextCheckIn: 30 });
      // The vault removed it: only a client that dropped its copy finds out.
      expect(await rejectionOf(sut.token('YA0301'))).toMatchObject({ status: 404, error: 'token_not_found' });
    });

    it('drops the cached token even when the vault finds it live (the account named with its broker)', async () => {
      await cluster.login(0, 'YA0302');
      const sut = clientOf();
      const token = await sut.token('YA0302', { broker: 'pocketful' });
      expect(await sut.reportInvalid('pocketful:YA0302')).toMatchObject({ clientId: 'YA0302', verdict: 'live' });
      expect((await sut.token('YA0302', { broker: 'pocketful' })).accessToken).toBe(token.accessToken);
      expect(await cluster.reads('strategy-a', 'YA0302')).toBe(2);
    });
  });

  describe('429 rate_limited', () => {
    const burst = async (account: string, times: number) => {
      const statuses: number[] = [];
      for (let read = 0; read < times; read += 1) statuses.push((await cluster.limited.fetch(`/v1/tokens/${account}`, { as: 'bursty' })).status);
      return statuses;
    };
    const limitedClient = (options: Partial<TokenVaultClientOptions> = {}) => clientOf({ url: cluster.limited.url, ...options }, undefined, 'bursty');

    it('sleeps what Retry-After says, then gets the token', async () => {
      await cluster.login(0, 'YA0401');
      cluster.minuteEndsIn(55);
      expect(await burst('YA0401', LIMITED_BUDGET)).toEqual(Array(LIMITED_BUDGET).fill(200));
      cluster.minuteEndsIn(2, { sameWindow: true });
      const started = performance.now();
      const token = await limitedClient({ maxRetryWaitSeconds: 10 }).token('YA0401');
      expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
      expect(token.accessToken).toBe((await served('YA0401')).accessToken);
      await until(async () => (await cluster.refusals('bursty', 'YA0401', 'rate_limited')) >= 1, 5000, 'the 429 in the audit trail');
    }, 30_000);

    it('gives up after its retries, each sleep capped, with rate_limited and the vault’s Retry-After', async () => {
      await cluster.login(0, 'YA0402');
      cluster.minuteEndsIn(50);
      await burst('YA0402', LIMITED_BUDGET);
      const started = performance.now();
      const error = await rejectionOf(limitedClient({ maxRetries: 2, maxRetryWaitSeconds: 0.2 }).token('YA0402'));
      expect(performance.now() - started).toBeLessThan(20_000);
      expect(error).toMatchObject({ status: 429, error: 'rate_limited', temporary: true });
      expect(error.retryAfter).toBeGreaterThan(40);
      // One more refusal from the same replica: once it shows, every refusal before it shows too.
      expect(await burst('YA0402', 1)).toEqual([429]);
      await until(async () => (await cluster.refusals('bursty', 'YA0402', 'rate_limited')) >= 4, 5000, 'the refusals in the audit trail');
      expect(await cluster.refusals('bursty', 'YA0402', 'rate_limited')).toBe(1 + 2 + 1);
    }, 30_000);
  });

  describe('when the vault cannot answer', () => {
    afterEach(() => cluster.stopSpare());

    it('hands out a cached token not yet expired when the vault is gone, and never an expired one', async () => {
      await cluster.login(0, 'YA0501');
      const shift = { ms: 0 };
      const sut = clientOf({ url: await cluster.startSpare() }, shift);
      const token = await sut.token('YA0501');
      await cluster.stopSpare();
      shift.ms = (token.expiresIn - 30) * 1000;
      const stale = await sut.token('YA0501');
      expect(stale.accessToken).toBe(token.accessToken);
      expect(stale.expiresIn).toBeLessThanOrEqual(30);
      shift.ms = (token.expiresIn + 1) * 1000;
      const error = await rejectionOf(sut.token('YA0501'));
      expect(error).toMatchObject({ status: 0, error: 'network_error', temporary: true });
      expect(error.message).toMatch(/could not be reached \(ECONNREFUSED\)/);
    });

    it('raises the vault’s 503 while Redis is down, never the expired cached token', async () => {
      await cluster.login(0, 'YA0502');
      const shift = { ms: 0 };
      const sut = clientOf({}, shift);
      const token = await sut.token('YA0502');
      await cluster.stopRedis();
      try {
        shift.ms = (token.expiresIn + 1) * 1000;
        expect(await rejectionOf(sut.token('YA0502'))).toMatchObject({ status: 503, error: 'store_unavailable', temporary: true });
        expect(await rejectionOf(clientOf().token('YA0502'))).toMatchObject({ status: 503, error: 'store_unavailable' });
      } finally {
        await cluster.startRedis();
      }
    }, 30_000);
  });

  describe('the service key', () => {
    it('is in no error, message or inspection of the client', async () => {
      const wrongKey = 'tvk_not-a-key-the-vault-knows-0123456789abcdef';
      const sut = new TokenVaultClient({ url: cluster.replicas[0].url, serviceKey: wrongKey });
      const refused = await rejectionOf(sut.token('YA0101'));
      expect(refused).toMatchObject({ status: 401, error: 'unauthorized' });
      const nowhere = `http://127.0.0.1:${await freePort()}`;
      const gone = await rejectionOf(new TokenVaultClient({ url: nowhere, serviceKey: wrongKey }).token('YA0101'));
      const seen = [refused, gone].flatMap((error) => [inspect(error), JSON.stringify(error), String(error), error.stack ?? '']);
      seen.push(inspect(sut, { depth: 10, showHidden: true }), JSON.stringify(sut));
      expect(seen.filter((text) => text.includes('not-a-key-the-vault-knows'))).toEqual([]);
    });
  });
});
