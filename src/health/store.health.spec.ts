import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { ManualClock } from '../../test/support/manual-clock';
import { Clock } from '../clock/clock';
import { StorageKind, StorageSettings } from '../redis/storage.config';
import { MemoryTokenStore } from '../tokens/memory-token.store';
import { TokenStore } from '../tokens/token.store';
import { STORE_PING_TIMEOUT_MS, StoreHealthIndicator } from './store.health';

/**
 * The memory store, with a ping that behaves as a store's can: answering after the vault's clock has moved on,
 * answering only when a (fake) timer fires, refusing, or never answering.
 */
class PingableStore extends MemoryTokenStore {
  answer: () => Promise<void> = async () => {};

  override ping(): Promise<void> {
    return this.answer();
  }
}

const settings = (kind: StorageKind) => new StorageSettings({ kind, redisUrl: 'redis://127.0.0.1:6379', keyPrefix: 'test-vault:', redisPassword: null });

describe(StoreHealthIndicator.name, () => {
  let sut: StoreHealthIndicator;
  let clock: ManualClock;
  let store: PingableStore;

  async function build(kind: StorageKind, tokenStore?: TokenStore) {
    clock = new ManualClock('2025-03-14T10:00:00+05:30');
    store = new PingableStore(clock);
    const moduleRef = await Test.createTestingModule({
      providers: [
        StoreHealthIndicator,
        HealthIndicatorService,
        { provide: TokenStore, useValue: tokenStore ?? store },
        { provide: StorageSettings, useValue: settings(kind) },
        { provide: Clock, useValue: clock },
      ],
    }).compile();
    sut = moduleRef.get(StoreHealthIndicator);
  }

  afterEach(() => {
    jest.useRealTimers();
  });

  it('is up, with the kind of store, when the memory store answers', async () => {
    await build('memory', new MemoryTokenStore(new ManualClock('2025-03-14T10:00:00+05:30')));
    expect(await sut.check()).toEqual({ store: { status: 'up', kind: 'memory', latencyMs: 0 } });
  });

  it('reports the latency of the ping as the vault’s clock measured it', async () => {
    await build('redis');
    store.answer = async () => clock.advance(37);
    expect(await sut.check()).toEqual({ store: { status: 'up', kind: 'redis', latencyMs: 37 } });
  });

  it('is reported under the key it is given', async () => {
    await build('memory');
    expect(await sut.check('tokens')).toEqual({ tokens: { status: 'up', kind: 'memory', latencyMs: 0 } });
  });

  it('is down, naming the kind, when the ping is refused', async () => {
    await build('redis');
    store.answer = async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    };
    expect(await sut.check()).toEqual({ store: { status: 'down', kind: 'redis', message: 'redis refused a ping' } });
  });

  it('is down when ping throws before returning a promise', async () => {
    await build('redis');
    store.answer = () => {
      throw new Error('the connection is closed');
    };
    expect(await sut.check()).toMatchObject({ store: { status: 'down' } });
  });

  describe('the ping timeout', () => {
    it('is 1 s', () => {
      expect(STORE_PING_TIMEOUT_MS).toBe(1_000);
    });

    it('waits for a ping up to 1 s, and reports down the moment 1 s has passed without an answer', async () => {
      await build('redis');
      jest.useFakeTimers();
      store.answer = () => new Promise<void>(() => {});
      let result: HealthIndicatorResult | undefined;
      void sut.check().then((answer) => (result = answer));
      await jest.advanceTimersByTimeAsync(999);
      expect(result).toBeUndefined();
      await jest.advanceTimersByTimeAsync(1);
      expect(result).toEqual({ store: { status: 'down', kind: 'redis', message: 'redis did not answer a ping within 1000 ms' } });
    });

    it('is up when the ping answers just inside the second', async () => {
      await build('redis');
      jest.useFakeTimers();
      store.answer = () => new Promise<void>((resolve) => setTimeout(resolve, 999));
      const answer = sut.check();
      await jest.advanceTimersByTimeAsync(999);
      expect(await answer).toMatchObject({ store: { status: 'up', kind: 'redis' } });
    });

    it('leaves no timer behind once the ping has answered', async () => {
      await build('redis');
      jest.useFakeTimers();
      await sut.check();
      expect(jest.getTimerCount()).toBe(0);
    });
  });
});
