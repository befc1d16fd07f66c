import { LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ManualClock } from '../../test/support/manual-clock';
import { Clock } from '../clock/clock';
import { loadConfiguration } from '../config/load-configuration';
import { CoordinationStore } from '../coordination/coordination.store';
import { MemoryCoordinationStore } from '../coordination/memory-coordination.store';
import { VaultError } from '../errors/vault-error';
import { RedisKeys } from '../redis/redis-keys';
import { accessConfig, AccessSettings } from './access.config';
import { AuthAttempt, AuthFailureLimiter } from './auth-failure-limiter';

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

  override async uncount(): Promise<never> {
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
        { provide: Clock, useValue: clock },
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

  /** The reservation, or the error it was refused with. */
  async function reserve(address = ADDRESS): Promise<AuthAttempt | unknown> {
    return sut.reserve(address).catch((error: unknown) => error);
  }

  const isAttempt = (value: unknown): value is AuthAttempt => typeof (value as AuthAttempt | null)?.failed === 'function';

  describe('reserving an attempt before a dear check', () => {
    beforeEach(() => build());

    it('counts the attempt before it is checked, and gives it back when the credentials were right', async () => {
      const attempt = await reserve();
      expect(await counters.peek(keys.authFailures(ADDRESS))).toMatchObject({ count: 1 });
      await (attempt as AuthAttempt).giveBack();
      expect(await counters.peek(keys.authFailures(ADDRESS))).toMatchObject({ count: 0 });
    });

    it('answers wrong credentials 401 within the budget and 429 just past it, as a cheap failure is', async () => {
      const outcomes = [];
      for (let attempt = 0; attempt <= BUDGET; attempt += 1) {
        const reserved = await reserve();
        outcomes.push(await (reserved as AuthAttempt).failed().then(() => 401, (error: VaultError) => error.status));
      }
      expect(outcomes).toEqual([...Array(BUDGET).fill(401), 429]);
    });

    it('refuses with 429, before any check, an address past its budget', async () => {
      await fail(BUDGET + 1);
      const refused = await reserve();
      expect(isAttempt(refused)).toBe(false);
      expect(refused).toMatchObject({ status: 429, code: 'rate_limited', headers: { 'Retry-After': '60' } });
    });

    it('still checks the one attempt just past the budget: an operator whose last try was a typo gets in', async () => {
      await fail(BUDGET);
      const attempt = await reserve();
      expect(isAttempt(attempt)).toBe(true);
      await (attempt as AuthAttempt).giveBack();
      expect(isAttempt(await reserve())).toBe(true);
    });

    it('lets at most the budget and one through of many attempts reserved at once, none of them answered yet', async () => {
      const reserved = await Promise.all(Array.from({ length: 50 }, () => reserve()));
      expect(reserved.filter(isAttempt)).toHaveLength(BUDGET + 1);
      expect(reserved.filter((outcome) => !isAttempt(outcome)).every((error) => (error as VaultError).status === 429)).toBe(true);
    });

    it('never counts below zero, nor into a minute that is over', async () => {
      const attempt = (await reserve()) as AuthAttempt;
      clock.advance(60_000);
      await attempt.giveBack();
      await attempt.giveBack();
      expect(await counters.peek(keys.authFailures(ADDRESS))).toMatchObject({ count: 0 });
      await fail(BUDGET);
      expect(await failOnce()).toMatchObject({ status: 429 });
    });

    it('reserves per address: another address has its whole budget', async () => {
      await fail(BUDGET + 3);
      expect(isAttempt(await reserve('198.51.100.4'))).toBe(true);
    });
  });

  describe('with a store that does not answer', () => {
    beforeEach(() => build((c) => new UnreachableCoordinationStore(c)));

    it('keeps counting in this process: 401 within the budget, 429 past it, never a 500', async () => {
      for (let attempt = 0; attempt < BUDGET; attempt += 1) expect(await failOnce()).toBeNull();
      expect(await failOnce()).toMatchObject({ status: 429, code: 'rate_limited', headers: { 'Retry-After': '60' } });
      expect(await failOnce('198.51.100.4')).toBeNull();
      clock.advance(60_000);
      expect(await failOnce()).toBeNull();
    });

    it('takes back in this process what is given back, and refuses reservations past the budget before any check', async () => {
      for (let attempt = 0; attempt < 5; attempt += 1) await ((await reserve()) as AuthAttempt).giveBack();
      for (let attempt = 0; attempt < BUDGET; attempt += 1) expect(await failOnce()).toBeNull();
      const justPast = await reserve();
      expect(isAttempt(justPast)).toBe(true);
      expect(await (justPast as AuthAttempt).failed().catch((error: unknown) => error)).toMatchObject({ status: 429 });
      expect(await reserve()).toMatchObject({ status: 429, code: 'rate_limited' });
    });
  });

  describe('with a store that loses its counters in the minute (Redis restarted empty)', () => {
    beforeEach(() => build());

    it('goes by the larger of the shared count and this process\'s own', async () => {
      await fail(BUDGET);
      for (let i = 0; i < BUDGET; i += 1) await counters.uncount(keys.authFailures(ADDRESS));
      expect(await counters.peek(keys.authFailures(ADDRESS))).toMatchObject({ count: 0 });
      expect(await failOnce()).toMatchObject({ status: 429 });
    });
  });
});
