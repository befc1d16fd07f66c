import { BatchLimits, ReadBatches } from './read-batches';

/** One call the batches made: the items it carried, and the means to answer it when the test says. */
interface Call {
  items: string[];
  answer(): void;
  fail(error: Error): void;
}

/**
 * The other end of the batches, answered by hand: each call is kept until the test answers it (each item with
 * `<item>:read`) or fails it, so that a test decides what is out and when it comes back.
 */
class Calls {
  readonly made: Call[] = [];
  /** A call the test wants thrown at once, synchronously, rather than returned as a rejected promise. */
  throwNext: Error | null = null;

  readonly call = (items: string[]): Promise<string[]> => {
    if (this.throwNext) {
      const error = this.throwNext;
      this.throwNext = null;
      throw error;
    }
    return new Promise((resolve, reject) => {
      this.made.push({ items, answer: () => resolve(items.map((item) => `${item}:read`)), fail: reject });
    });
  };

  get carried(): string[][] {
    return this.made.map((call) => call.items);
  }
}

/** Where an item's promise stands, without waiting for it. */
function tracked<R>(promise: Promise<R>): { state: 'pending' | 'resolved' | 'rejected'; value?: R; error?: unknown } {
  const status: { state: 'pending' | 'resolved' | 'rejected'; value?: R; error?: unknown } = { state: 'pending' };
  promise.then(
    (value) => Object.assign(status, { state: 'resolved', value }),
    (error: unknown) => Object.assign(status, { state: 'rejected', error }),
  );
  return status;
}

describe(ReadBatches.name, () => {
  const HOLD_MS = 2;
  let calls: Calls;
  let sut: ReadBatches<string, string>;

  function build(limits: Partial<BatchLimits> = {}) {
    calls = new Calls();
    sut = new ReadBatches(calls.call, { most: 128, holdMs: HOLD_MS, ...limits });
  }

  /** Lets the event loop take its turn (the batches gather on setImmediate), and any promise callbacks settle. */
  const nextTurn = () => jest.advanceTimersByTimeAsync(0);

  describe('on the test’s clock', () => {
    beforeEach(() => {
      jest.useFakeTimers();
      // A process that has run a while: what holds is the time since the last call, not since the clock started.
      jest.advanceTimersByTime(60_000);
      build();
    });

    afterEach(() => {
      // Nothing may be left pending: every call answered and every hold timer cleared or run.
      expect(jest.getTimerCount()).toBe(0);
      jest.useRealTimers();
    });

    it('sends the items of one event-loop turn in one call', async () => {
      const items = ['YA0002', 'YA0003', 'YA0004'].map((item) => sut.add(item));
      expect(calls.made).toHaveLength(0);
      await nextTurn();
      expect(calls.carried).toEqual([['YA0002', 'YA0003', 'YA0004']]);
      calls.made[0].answer();
      expect(await Promise.all(items)).toEqual(['YA0002:read', 'YA0003:read', 'YA0004:read']);
    });

    it('answers each item with its own result', async () => {
      const second = sut.add('b');
      const first = sut.add('a');
      await nextTurn();
      calls.made[0].answer();
      expect(await first).toBe('a:read');
      expect(await second).toBe('b:read');
    });

    it('puts at most `most` items in a call, and sends the rest at once in further calls', async () => {
      build({ most: 2 });
      const items = ['a', 'b', 'c', 'd', 'e'].map((item) => sut.add(item));
      await nextTurn();
      expect(calls.carried).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
      calls.made.forEach((call) => call.answer());
      expect(await Promise.all(items)).toEqual(['a:read', 'b:read', 'c:read', 'd:read', 'e:read']);
    });

    it('holds items that arrive while a call is out, for up to holdMs, then sends them', async () => {
      const first = sut.add('a');
      await nextTurn();
      const held = tracked(sut.add('b'));
      await nextTurn();
      await jest.advanceTimersByTimeAsync(HOLD_MS - 1);
      expect(calls.carried).toEqual([['a']]);
      await jest.advanceTimersByTimeAsync(1);
      expect(calls.carried).toEqual([['a'], ['b']]);
      calls.made.forEach((call) => call.answer());
      expect(await first).toBe('a:read');
      await nextTurn();
      expect(held).toMatchObject({ state: 'resolved', value: 'b:read' });
    });

    it('holds an item for what is left of holdMs since the call went out, never longer', async () => {
      build({ holdMs: 10 });
      sut.add('a');
      await nextTurn();
      await jest.advanceTimersByTimeAsync(6);
      sut.add('b');
      await nextTurn();
      await jest.advanceTimersByTimeAsync(3);
      expect(calls.carried).toEqual([['a']]);
      await jest.advanceTimersByTimeAsync(1);
      expect(calls.carried).toEqual([['a'], ['b']]);
      calls.made.forEach((call) => call.answer());
      await nextTurn();
    });

    it('gathers every item held behind a call into the next call', async () => {
      sut.add('a');
      await nextTurn();
      sut.add('b');
      await nextTurn();
      sut.add('c');
      await nextTurn();
      sut.add('d');
      await jest.advanceTimersByTimeAsync(HOLD_MS);
      expect(calls.carried).toEqual([['a'], ['b', 'c', 'd']]);
      calls.made.forEach((call) => call.answer());
      await nextTurn();
    });

    it('sends the held items at once when the call comes back, and clears the hold timer', async () => {
      const first = sut.add('a');
      await nextTurn();
      const held = sut.add('b');
      await nextTurn();
      expect(jest.getTimerCount()).toBe(1);
      calls.made[0].answer();
      await first;
      expect(calls.carried).toEqual([['a'], ['b']]);
      expect(jest.getTimerCount()).toBe(0);
      calls.made[1].answer();
      expect(await held).toBe('b:read');
    });

    it('sends at once, without holding, when no call is out', async () => {
      sut.add('a');
      await nextTurn();
      calls.made[0].answer();
      await nextTurn();
      sut.add('b');
      await nextTurn();
      expect(calls.carried).toEqual([['a'], ['b']]);
      expect(jest.getTimerCount()).toBe(0);
      calls.made[1].answer();
      await nextTurn();
    });

    it('times the hold from the latest call out, not an earlier one', async () => {
      sut.add('a');
      await nextTurn();
      calls.made[0].answer();
      await jest.advanceTimersByTimeAsync(1_000);
      sut.add('b');
      await nextTurn();
      sut.add('c');
      await nextTurn();
      expect(calls.carried).toEqual([['a'], ['b']]);
      await jest.advanceTimersByTimeAsync(HOLD_MS);
      expect(calls.carried).toEqual([['a'], ['b'], ['c']]);
      calls.made.slice(1).forEach((call) => call.answer());
      await nextTurn();
    });

    it('rejects each item of a call that rejects, with its error, and the next items still go', async () => {
      const error = new Error('Command timed out');
      const failing = ['a', 'b'].map((item) => sut.add(item).catch((reason: unknown) => reason));
      await nextTurn();
      const held = sut.add('c');
      await nextTurn();
      calls.made[0].fail(error);
      expect(await Promise.all(failing)).toEqual([error, error]);
      expect(calls.carried).toEqual([['a', 'b'], ['c']]);
      calls.made[1].answer();
      expect(await held).toBe('c:read');
    });

    it('rejects each item of a call that throws synchronously, and the next items still go', async () => {
      const error = new Error('the script is not loaded');
      calls.throwNext = error;
      const failing = ['a', 'b'].map((item) => sut.add(item).catch((reason: unknown) => reason));
      await nextTurn();
      expect(await Promise.all(failing)).toEqual([error, error]);
      const next = sut.add('c');
      await nextTurn();
      expect(calls.carried).toEqual([['c']]);
      calls.made[0].answer();
      expect(await next).toBe('c:read');
    });

    it('does not count a failed call as out: the next items are not held', async () => {
      calls.throwNext = new Error('the script is not loaded');
      await Promise.all([sut.add('a').catch(() => undefined), nextTurn()]);
      sut.add('b');
      await nextTurn();
      expect(calls.carried).toEqual([['b']]);
      expect(jest.getTimerCount()).toBe(0);
      calls.made[0].answer();
      await nextTurn();
    });
  });

  describe('on the real clock', () => {
    beforeEach(() => build({ holdMs: 60_000 }));

    // The leak-checking environment fails the file if the hold timer of a minute outlives the call.
    it('leaves no hold timer behind once the call comes back', async () => {
      const first = sut.add('a');
      await new Promise((resolve) => setImmediate(resolve));
      const held = sut.add('b');
      await new Promise((resolve) => setImmediate(resolve));
      calls.made[0].answer();
      expect(await first).toBe('a:read');
      expect(calls.carried).toEqual([['a'], ['b']]);
      calls.made[1].answer();
      expect(await held).toBe('b:read');
    });
  });
});
