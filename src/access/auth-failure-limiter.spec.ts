import { LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ManualClock } from '../../test/support/manual-clock';
import { loadConfiguration } from '../config/load-configuration';
import { CoordinationStore } from '../coordination/coordination.store';
import { MemoryCoordinationStore } from '../coordination/memory-coordination.store';
import { VaultError } from '../errors/vault-error';
import { RedisKeys } from '../redis/redis-keys';
import { accessConfig, AccessSettings } from './access.config';
import { AuthFailureLimiter } from './auth-failure-limiter';

const START = '2025-03-14T10:00:00+05:30';
const ADDRESS = '203.0.113.7';
const BUDGET = 3;

/** The warnings and errors logged while the test runs (Nest's own start-up lines are at `log` level). */
class RecordingLogger implements LoggerService {
  readonly lines: Array<{ level: string; message: string }> = [];
  log() {}
  warn(message: string) {
    this.lines.push({ level: 'warn', message });
  }
  error(message: string) {
    this.lines.push({ level: 'error', message });
  }
}

/** A shared store that has gone away: every call rejects. */
class UnreachableCoordinationStore extends MemoryCoordinationStore {
  override async count(): Promise<never> {
    throw new Error('ECONNREFUSED');
  }
}

describe(AuthFailureLimiter.name, () => {
  let sut: AuthFailureLimiter;
  let clock: ManualClock;
  let counters: CoordinationStore;
  let logger: RecordingLogger;
  const keys = new RedisKeys('test-vault:');

  async function build(store: (clock: ManualClock) => CoordinationStore = (c) => new MemoryCoordinationStore(c)) {
    clock = new ManualClock(START);
    counters = store(clock);
    logger = new RecordingLogger();
    const moduleRef = await Test.createTestingModule({
      providers: [
        AuthFailureLimiter,
        { provide: CoordinationStore, useValue: counters },
        {
          provide: AccessSettings,
          useValue: loadConfiguration({ ADMIN_AUTH: 'none', AUTH_FAILURES_PER_MINUTE: String(BUDGET) }, [accessConfig]).get(AccessSettings),
        },
        { provide: RedisKeys, useValue: keys },
      ],
    })
      .setLogger(logger)
      .compile();
    sut = moduleRef.get(AuthFailureLimiter);
  }

  /** What the failed attempt was answered with: nothing (the caller answers 401), or the error it threw. */
  async function failOnce(address = ADDRESS): Promise<unknown> {
    try {
      await sut.failed(address);
      return null;
    } catch (error) {
      return error;
    }
  }

  async function fail(times: number, address = ADDRESS): Promise<void> {
    for (let i = 0; i < times; i += 1) await failOnce(address);
  }

  describe('with a store that answers', () => {
    beforeEach(() => build());

    it('lets every failure up to AUTH_FAILURES_PER_MINUTE be answered 401', async () => {
      for (let attempt = 0; attempt < BUDGET; attempt += 1) expect(await failOnce()).toBeNull();
    });

    it('answers the failures past the budget 429 rate_limited, with Retry-After the rest of the minute', async () => {
      await fail(BUDGET);
      const error = await failOnce();
      expect(error).toBeInstanceOf(VaultError);
      expect(error).toMatchObject({
        status: 429,
        code: 'rate_limited',
        message: 'too many failed authentications from this address; try again in 60 s',
        headers: { 'Retry-After': '60' },
      });
    });

    it('counts failures in the shared store, under the address key RedisKeys makes', async () => {
      await fail(2);
      expect(await counters.peek(keys.authFailures(ADDRESS))).toMatchObject({ count: 2 });
    });

    it('counts the minute from the first failure: Retry-After is what is left of it, rounded up', async () => {
      await fail(1);
      clock.advance(20_500);
      await fail(BUDGET - 1);
      expect(await failOnce()).toMatchObject({ status: 429, message: 'too many failed authentications from this address; try again in 40 s' });
    });

    it('rounds the last milliseconds of the minute up to 1 s', async () => {
      await fail(BUDGET);
      clock.advance(59_999);
      expect(await failOnce()).toMatchObject({ status: 429, headers: { 'Retry-After': '1' } });
    });

    it('answers 401 again once the minute is over', async () => {
      await fail(BUDGET + 2);
      clock.advance(60_000);
      expect(await failOnce()).toBeNull();
    });

    it('starts a new minute after the old one: failures before it no longer count', async () => {
      await fail(BUDGET - 1);
      clock.advance(60_000);
      await fail(BUDGET - 1);
      expect(await failOnce()).toBeNull();
    });

    it('slows only the address that failed', async () => {
      await fail(BUDGET);
      expect(await failOnce('198.51.100.4')).toBeNull();
      expect(await failOnce(ADDRESS)).toMatchObject({ status: 429 });
    });

    it('logs one warning, naming the address, at its first failure past the budget, and none before or after', async () => {
      await fail(BUDGET);
      expect(logger.lines).toEqual([]);
      await fail(3);
      expect(logger.lines).toEqual([
        {
          level: 'warn',
          message: `address ${ADDRESS} failed authentication ${BUDGET} times in a minute; its further failures get 429 for the rest of it`,
        },
      ]);
    });
  });

  describe('with a store that does not answer', () => {
    beforeEach(() => build((c) => new UnreachableCoordinationStore(c)));

    it('leaves the failure uncounted and the answer a 401, never a 500', async () => {
      for (let attempt = 0; attempt < BUDGET + 2; attempt += 1) expect(await failOnce()).toBeNull();
    });
  });
});
