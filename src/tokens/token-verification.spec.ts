import { Logger } from '@nestjs/common';
import { ManualClock } from '../../test/support/manual-clock';
import { RecordingLogger } from '../../test/support/recording-logger';
import { BASE_DAY } from '../../test/support/test-time';
import { until } from '../../test/support/until';
import { WhoamiStubBroker } from '../../test/support/whoami-stub-broker';
import { BrokerError } from '../brokers/broker-error';
import { BrokerSettings } from '../brokers/pocketful/pocketful.config';
import { MemoryCoordinationStore } from '../coordination/memory-coordination.store';
import { VaultError } from '../errors/vault-error';
import { RedisKeys } from '../redis/redis-keys';
import { AccountBrokers } from './account-brokers';
import { MemoryTokenStore } from './memory-token.store';
import { StoredToken } from './stored-token';
import { TokenEvents, TokenInvalidated } from './token-events';
import { CHECK_SPAN_MS, NO_VERDICT_SPAN_MS, TokenVerification } from './token-verification';

const NOW = BASE_DAY.at('10:00');
const MIDNIGHT = BASE_DAY.plus(1).at('00:00');

const tokenOf = (clientId: string, accessToken = `access-token-of-${clientId}`): StoredToken => ({
  clientId,
  accessToken,
  tokenType: 'bearer',
  scope: 'orders holdings',
  issuedAt: BASE_DAY.at('09:00'),
  expiresAt: MIDNIGHT,
  source: 'login',
  fingerprint: `fp-${accessToken}`,
});

describe(TokenVerification.name, () => {
  let clock: ManualClock;
  let store: MemoryTokenStore;
  let broker: WhoamiStubBroker;
  let invalidated: TokenInvalidated[];
  let sut: TokenVerification;
  let logs: RecordingLogger;

  beforeEach(async () => {
    // What it logs is kept here rather than printed (the service is built without a testing module).
    logs = new RecordingLogger();
    Logger.overrideLogger(logs);
    clock = new ManualClock(NOW);
    store = new MemoryTokenStore(clock);
    broker = new WhoamiStubBroker();
    const events = new TokenEvents();
    invalidated = [];
    events.onInvalidated((event) => void invalidated.push(event));
    const settings = new BrokerSettings({ timeoutMs: 300 } as BrokerSettings);
    sut = new TokenVerification(store, new AccountBrokers(broker, settings), new MemoryCoordinationStore(clock), events, clock, new RedisKeys(''));
    await store.save(tokenOf('YA0002'));
  });

  /** Listeners are told in a later microtask. */
  const told = () => new Promise((resolve) => setImmediate(resolve));

  it('keeps a token the broker accepts as the account’s', async () => {
    broker.answers.set('access-token-of-YA0002', 'YA0002');
    expect(await sut.verify('YA0002', 'ops')).toEqual({ clientId: 'YA0002', valid: true, checkedAt: NOW, fresh: true, fingerprint: 'fp-access-token-of-YA0002' });
    expect(await store.find('YA0002')).not.toBeNull();
    await told();
    expect(invalidated).toEqual([]);
  });

  it('removes a token the broker refuses, and tells who asked and why', async () => {
    const result = await sut.verify('YA0002', 'ops');
    expect(result).toMatchObject({ valid: false, reason: 'token_rejected', fresh: true });
    expect(await store.find('YA0002')).toBeNull();
    await told();
    expect(invalidated).toEqual([{ clientId: 'YA0002', reportedBy: 'ops', trigger: 'verify', cause: 'refused', at: NOW, expiresAt: MIDNIGHT }]);
    expect(logs.lines).toEqual([{ level: 'warn', context: TokenVerification.name, message: 'ops verified the token of YA0002; Pocketful refuses it, so it was removed' }]);
  });

  it('removes a token the broker says is another account’s', async () => {
    broker.answers.set('access-token-of-YA0002', 'YA0003');
    expect(await sut.checkOrShare('YA0002', 'strategy-a', 'report')).toMatchObject({ valid: false, reason: 'wrong_account' });
    expect(await store.find('YA0002')).toBeNull();
    await told();
    expect(invalidated).toEqual([expect.objectContaining({ reportedBy: 'strategy-a', trigger: 'report', cause: 'wrong_account' })]);
  });

  it.each([
    ['timeout', 'broker_timeout'],
    ['unavailable', 'broker_unavailable'],
    ['malformed', 'broker_malformed_response'],
    ['rejected', 'broker_rejected'],
  ] as const)('keeps the token when the broker answers %s, with no verdict, and checks again once %s is no longer shared', async (failure, reason) => {
    broker.answers.set('access-token-of-YA0002', failure);
    const result = await sut.verify('YA0002', 'ops');
    expect(result).toMatchObject({ valid: null, reason, fresh: true });
    expect(result.error).toBeInstanceOf(BrokerError);
    expect(await store.find('YA0002')).not.toBeNull();
    expect(await sut.verify('YA0002', 'ops')).toMatchObject({ valid: null, reason, fresh: false });
    clock.advance(NO_VERDICT_SPAN_MS);
    await sut.verify('YA0002', 'ops');
    expect(broker.asked).toHaveLength(2);
    await told();
    expect(invalidated).toEqual([]);
  });

  it('keeps a newer token stored while the old one was being checked', async () => {
    broker.hold();
    const checking = sut.verify('YA0002', 'ops');
    await until(() => broker.asked.length === 1, 1000, 'the broker asked');
    await store.save(tokenOf('YA0002', 'newer-token'));
    broker.release();
    expect(await checking).toMatchObject({ valid: false, reason: 'token_rejected' });
    expect((await store.find('YA0002'))?.accessToken).toBe('newer-token');
    await told();
    expect(invalidated).toEqual([]);
  });

  it('asks the broker once for checks at the same time: the later ones wait for its verdict', async () => {
    broker.answers.set('access-token-of-YA0002', 'YA0002');
    broker.hold();
    const first = sut.verify('YA0002', 'ops');
    const second = sut.verify('YA0002', 'strategy-a');
    expect(await sut.checkOrShare('YA0002', 'strategy-b', 'report')).toBe('checking');
    setTimeout(() => broker.release(), 150);
    expect(await Promise.all([first, second])).toEqual([
      expect.objectContaining({ valid: true, fresh: true }),
      { clientId: 'YA0002', valid: true, checkedAt: NOW, fresh: false },
    ]);
    expect(broker.asked).toHaveLength(1);
  });

  it('shares a verdict for the span, then asks again', async () => {
    broker.answers.set('access-token-of-YA0002', 'YA0002');
    await sut.verify('YA0002', 'ops');
    clock.advance(CHECK_SPAN_MS - 1);
    expect(await sut.verify('YA0002', 'ops')).toMatchObject({ valid: true, fresh: false, checkedAt: NOW });
    clock.advance(1);
    expect(await sut.verify('YA0002', 'ops')).toMatchObject({ valid: true, fresh: true });
    expect(broker.asked).toHaveLength(2);
  });

  it('answers check_in_progress when another check does not end within the wait', async () => {
    broker.hold();
    const stuck = sut.verify('YA0002', 'ops');
    expect(await sut.verify('YA0002', 'strategy-a', 'verify', 200)).toMatchObject({ valid: null, reason: 'check_in_progress', fresh: false });
    broker.release();
    await stuck;
  });

  it('throws token_not_found without a live token, and lets the next caller check at once', async () => {
    await expect(sut.verify('YA0003', 'ops')).rejects.toMatchObject({ code: 'token_not_found' });
    await store.save(tokenOf('YA0003'));
    broker.answers.set('access-token-of-YA0003', 'YA0003');
    expect(await sut.verify('YA0003', 'ops')).toMatchObject({ valid: true, fresh: true });
  });

  it('treats a token past its expiry as none', async () => {
    clock.set(MIDNIGHT);
    const failure = await sut.verify('YA0002', 'ops').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(VaultError);
    expect(broker.asked).toEqual([]);
  });
});
