import { Test, TestingModule } from '@nestjs/testing';
import { ManualClock } from '../../test/support/manual-clock';
import { SANDBOX_BROKERS } from '../../test/support/sandbox-brokers';
import { settled } from '../../test/support/settled';
import { BASE_DAY } from '../../test/support/test-time';
import { clientFor, newServiceKey } from '../access/clients-file';
import { ServiceClientRegistry } from '../access/service-client.registry';
import { VaultRequest } from '../access/vault-request';
import { auditConfig } from '../audit/audit.config';
import { AuditLog } from '../audit/audit-log';
import { AuditTrail } from '../audit/audit-trail';
import { MemoryAuditLog } from '../audit/memory-audit.log';
import { Clock } from '../clock/clock';
import { loadConfiguration } from '../config/load-configuration';
import { VaultMetrics } from '../metrics/vault-metrics';
import { MemoryRateLimiter } from '../rate-limit/memory-rate-limiter';
import { rateLimitConfig } from '../rate-limit/rate-limit.config';
import { RateLimiter } from '../rate-limit/rate-limiter';
import { MemoryTokenStore } from '../tokens/memory-token.store';
import { MemoryTokenReader } from '../tokens/read/memory-token-reader';
import { TokenReader } from '../tokens/read/token-reader';
import { TokenServing } from '../tokens/read/token-serving';
import { StoredToken } from '../tokens/stored-token';
import { TokenStore } from '../tokens/token.store';
import { EventFanOut } from './event-fan-out';
import { FeedWaitingReads } from './feed-waiting-reads';
import { HeldRequestMetrics } from './held-request-metrics';
import { HeldRequests } from './held-requests';
import { tokenFeedConfig } from './token-feed.config';

const NOW = BASE_DAY.at('10:00');
const MIDNIGHT = BASE_DAY.plus(1).at('00:00');

const tokenOf = (clientId: string): StoredToken => ({
  clientId,
  accessToken: `access-token-of-${clientId}`,
  tokenType: 'bearer',
  scope: 'orders holdings',
  issuedAt: BASE_DAY.at('09:00'),
  expiresAt: MIDNIGHT,
  source: 'login',
  fingerprint: `fp-${clientId}`,
});

/** Every promise the memory adapters chain is settled by then: the read is parked on its wakeup. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe(FeedWaitingReads.name, () => {
  let sut: FeedWaitingReads;
  let registry: ServiceClientRegistry;
  let store: MemoryTokenStore;
  let audit: MemoryAuditLog;
  let fanOut: EventFanOut;
  let held: HeldRequests;
  let moduleRef: TestingModule;
  const key = newServiceKey();
  const strategy = clientFor('strategy-a', key, ['YA0002', 'YA0003'], false);
  const ops = clientFor('ops', newServiceKey(), ['*'], true);
  /** The reads a test began: each is let go at its end, so that no 30 s timer outlives it. */
  const callers: AbortController[] = [];

  beforeEach(async () => {
    const clock = new ManualClock(NOW);
    const configuration = loadConfiguration(SANDBOX_BROKERS.env, [rateLimitConfig, auditConfig, tokenFeedConfig, ...SANDBOX_BROKERS.slices]);
    const settings = configuration.entries().map(([provide, useValue]) => ({ provide, useValue }));
    store = new MemoryTokenStore(clock);
    registry = new ServiceClientRegistry([strategy, ops]);
    moduleRef = await Test.createTestingModule({
      providers: [
        FeedWaitingReads,
        TokenServing,
        AuditTrail,
        EventFanOut,
        HeldRequests,
        HeldRequestMetrics,
        VaultMetrics,
        ...settings,
        { provide: ServiceClientRegistry, useValue: registry },
        { provide: Clock, useValue: clock },
        { provide: TokenStore, useValue: store },
        { provide: RateLimiter, useValue: new MemoryRateLimiter(clock) },
        { provide: AuditLog, useClass: MemoryAuditLog },
        { provide: TokenReader, useClass: MemoryTokenReader },
      ],
    }).compile();
    sut = moduleRef.get(FeedWaitingReads);
    audit = moduleRef.get(AuditLog);
    fanOut = moduleRef.get(EventFanOut);
    held = moduleRef.get(HeldRequests);
  });

  afterEach(async () => {
    for (const caller of callers.splice(0)) caller.abort();
    await settle();
    await moduleRef.close();
  });

  /** A read of `clientId` that waits `seconds` (30), as ServiceKeyGuard lets it in with the strategy's key. */
  function waitFor(clientId: string, seconds = 30): { request: VaultRequest; answer: Promise<unknown> } {
    const caller = new AbortController();
    callers.push(caller);
    const request = {
      id: `req-${clientId}`,
      ip: '203.0.113.7',
      headers: { authorization: `Bearer ${key}` },
      signal: caller.signal,
      caller: { kind: 'service', client: registry.authenticate(key)! },
    } as unknown as VaultRequest;
    return { request, answer: settled(sut.serve(request, clientId, seconds)) };
  }

  async function stored(clientId: string): Promise<void> {
    await store.save(tokenOf(clientId));
  }

  const reads = async () => (await audit.page({ limit: 50, kind: 'done' })).entries;

  it('serves a token stored while it waits, audited under the client that holds the key when it comes', async () => {
    const { answer } = waitFor('YA0002');
    await settle();
    const renamed = clientFor('strategy-renamed', key, ['YA0002'], false);
    registry.replace([renamed, ops]);
    await stored('YA0002');
    fanOut.wake('YA0002');
    expect(await answer).toEqual(tokenOf('YA0002'));
    expect(await reads()).toEqual([expect.objectContaining({ action: 'read', result: 'ok', client: 'strategy-renamed', account: 'YA0002' })]);
  });

  it('reads first as a counted read, then, woken by a store, as one of the reads that store woke, not counted again', async () => {
    const read = jest.spyOn(moduleRef.get(TokenReader), 'read');
    const { answer } = waitFor('YA0002');
    await settle();
    await stored('YA0002');
    fanOut.wake('YA0002');
    expect(await answer).toEqual(tokenOf('YA0002'));
    const handed = read.mock.calls.map(([serving]) => ({ counted: serving.rate !== null, woken: serving.woken }));
    expect(handed).toEqual([
      { counted: true, woken: false },
      { counted: false, woken: true },
    ]);
  });

  it('reads a last time at its deadline as neither counted nor woken, and answers 404 without a token', async () => {
    const read = jest.spyOn(moduleRef.get(TokenReader), 'read');
    const { answer } = waitFor('YA0002', 1);
    expect(await answer).toMatchObject({ code: 'token_not_found', status: 404 });
    expect(read.mock.calls.map(([serving]) => ({ counted: serving.rate !== null, woken: serving.woken }))).toEqual([
      { counted: true, woken: false },
      { counted: false, woken: false },
    ]);
  });

  it('serves nothing, and answers 401, when the key is removed in the same moment the token comes', async () => {
    const { request, answer } = waitFor('YA0002');
    await settle();
    await stored('YA0002');
    // The store's wake is handed to the read first; the key goes before the read runs.
    fanOut.wake('YA0002');
    registry.replace([ops]);
    expect(await answer).toMatchObject({ code: 'unauthorized', status: 401 });
    expect(await reads()).toEqual([]);
    // Refused as a key that matches nobody is: the trail names no client.
    expect(request.caller).toBeUndefined();
  });

  it('serves nothing, and answers 403, when the key loses the account in the same moment the token comes', async () => {
    const { request, answer } = waitFor('YA0002');
    await settle();
    await stored('YA0002');
    fanOut.wake('YA0002');
    registry.replace([clientFor('strategy-a', key, ['YA0003'], false), ops]);
    expect(await answer).toMatchObject({ code: 'forbidden', status: 403, message: expect.stringContaining('YA0002') });
    expect(await reads()).toEqual([]);
    expect(request.caller).toMatchObject({ kind: 'service', client: { name: 'strategy-a', accounts: ['YA0003'] } });
  });

  it('ends at once, without a token, when the key is removed while it waits, and lets go of all it held', async () => {
    const { answer } = waitFor('YA0002');
    await settle();
    expect(held.count('wait')).toBe(1);
    registry.replace([ops]);
    await settle();
    expect(await Promise.race([answer, settle().then(() => 'still waiting')])).toMatchObject({ code: 'unauthorized' });
    expect(held.count('wait')).toBe(0);
    expect(held.clients).toBe(0);
    expect(fanOut.size.waiters).toBe(0);
  });

  it('ends at once with 403 when the key is narrowed away from the account while it waits', async () => {
    const { answer } = waitFor('YA0003');
    await settle();
    registry.replace([clientFor('strategy-a', key, ['YA0002'], false), ops]);
    await settle();
    expect(await Promise.race([answer, settle().then(() => 'still waiting')])).toMatchObject({ code: 'forbidden' });
    expect(held.count('wait')).toBe(0);
  });

  it('goes on waiting through a change that leaves its key the account, and serves the token when it comes', async () => {
    const { answer } = waitFor('YA0002');
    await settle();
    registry.replace([strategy, ops, clientFor('newcomer', newServiceKey(), ['YA0002'], false)]);
    registry.replace([clientFor('strategy-a', key, ['*'], false), ops]);
    await settle();
    expect(held.count('wait')).toBe(1);
    await stored('YA0002');
    fanOut.wake('YA0002');
    expect(await answer).toEqual(tokenOf('YA0002'));
    expect(await reads()).toEqual([expect.objectContaining({ client: 'strategy-a', account: 'YA0002' })]);
  });
});
