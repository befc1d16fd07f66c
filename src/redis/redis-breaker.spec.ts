import { BreakerOptions, RedisBreaker } from './redis-breaker';

/** A probe the test answers by hand, counting how many are under way at once. */
class Probes {
  started = 0;
  running = 0;
  mostAtOnce = 0;
  private pending: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];

  readonly probe = () =>
    new Promise<void>((resolve, reject) => {
      this.started += 1;
      this.running += 1;
      this.mostAtOnce = Math.max(this.mostAtOnce, this.running);
      const done = () => (this.running -= 1);
      this.pending.push({ resolve: () => (done(), resolve()), reject: (error) => (done(), reject(error)) });
    });

  answer(): void {
    this.pending.shift()?.resolve();
  }

  fail(): void {
    this.pending.shift()?.reject(new Error('Command timed out'));
  }
}

describe(RedisBreaker.name, () => {
  let probes: Probes;
  let events: string[];
  let breaker: RedisBreaker;

  function build(overrides: Partial<BreakerOptions> = {}) {
    probes = new Probes();
    events = [];
    breaker = new RedisBreaker({
      threshold: 3,
      probeEveryMs: 500,
      probe: probes.probe,
      onOpen: (failures) => events.push(`open after ${failures}`),
      onClose: () => events.push('close'),
      ...overrides,
    });
  }

  beforeEach(() => {
    jest.useFakeTimers();
    build();
  });

  afterEach(() => {
    breaker.stop();
    jest.useRealTimers();
  });

  it('stays closed below the threshold, and a success starts the count again', () => {
    breaker.failed();
    breaker.failed();
    breaker.succeeded();
    breaker.failed();
    breaker.failed();
    expect(breaker.isOpen).toBe(false);
    expect(events).toEqual([]);
  });

  it('opens at the threshold of consecutive failures, once', () => {
    breaker.failed();
    breaker.failed();
    breaker.failed();
    breaker.failed();
    expect(breaker.isOpen).toBe(true);
    expect(events).toEqual(['open after 3']);
  });

  it('opens at once when tripped', () => {
    breaker.trip();
    expect(breaker.isOpen).toBe(true);
    expect(events).toEqual(['open after 0']);
  });

  it('probes 500 ms after opening, then 500 ms after each failed probe ends, one at a time', async () => {
    breaker.trip();
    await jest.advanceTimersByTimeAsync(499);
    expect(probes.started).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(probes.started).toBe(1);
    // A probe that takes long (a silent Redis) is not joined by another while it runs.
    await jest.advanceTimersByTimeAsync(5_000);
    expect(probes.started).toBe(1);
    probes.fail();
    await jest.advanceTimersByTimeAsync(499);
    expect(probes.started).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(probes.started).toBe(2);
    expect(probes.mostAtOnce).toBe(1);
    expect(breaker.isOpen).toBe(true);
  });

  it('closes when a probe answers, and probes no more', async () => {
    breaker.trip();
    await jest.advanceTimersByTimeAsync(500);
    probes.answer();
    await jest.advanceTimersByTimeAsync(0);
    expect(breaker.isOpen).toBe(false);
    expect(events).toEqual(['open after 0', 'close']);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(probes.started).toBe(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('closes when any command answers while it is open', async () => {
    breaker.trip();
    breaker.succeeded();
    expect(breaker.isOpen).toBe(false);
    expect(events).toEqual(['open after 0', 'close']);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('needs the full threshold again after closing', async () => {
    breaker.trip();
    breaker.succeeded();
    breaker.failed();
    breaker.failed();
    expect(breaker.isOpen).toBe(false);
  });

  it('probes at once when asked, unless a probe is under way', async () => {
    breaker.trip();
    breaker.probeNow();
    expect(probes.started).toBe(1);
    breaker.probeNow();
    expect(probes.started).toBe(1);
    probes.fail();
    await jest.advanceTimersByTimeAsync(0);
    breaker.probeNow();
    expect(probes.started).toBe(2);
    expect(probes.mostAtOnce).toBe(1);
  });

  it('does not probe while closed', () => {
    breaker.probeNow();
    expect(probes.started).toBe(0);
  });

  it('leaves no timer behind once stopped, and a probe that answers after it changes nothing', async () => {
    breaker.trip();
    await jest.advanceTimersByTimeAsync(500);
    breaker.stop();
    probes.answer();
    await jest.advanceTimersByTimeAsync(0);
    expect(events).toEqual(['open after 0']);
    expect(jest.getTimerCount()).toBe(0);
  });
});
