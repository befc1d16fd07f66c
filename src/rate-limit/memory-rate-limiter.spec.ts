import { ManualClock } from '../../test/support/manual-clock';
import { BASE_DAY } from '../../test/support/test-time';
import { MemoryRateLimiter } from './memory-rate-limiter';

describe(MemoryRateLimiter.name, () => {
  it('refuses past the budget, marking only the first refusal of the window, and starts again with the next minute', async () => {
    const clock = new ManualClock(BASE_DAY.at('10:00'));
    const limiter = new MemoryRateLimiter(clock);
    const decisions = [];
    for (let request = 0; request < 8; request += 1) decisions.push(await limiter.consume('client:a', 5));
    expect(decisions.map((decision) => [decision.allowed, decision.firstRefusal])).toEqual([
      ...Array(5).fill([true, false]),
      [false, true],
      [false, false],
      [false, false],
    ]);
    expect(decisions[7].retryAfterSeconds).toBe(60);
    clock.advance(60_000);
    expect(await limiter.consume('client:a', 5)).toMatchObject({ allowed: true, firstRefusal: false });
  });
});
