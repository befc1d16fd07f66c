import { ReadBatches, Together } from './read-batches';

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
  let calls: Calls;
  let sut: ReadBatches<string, string>;

  function build(most = 128, together: Together<string> | null = null) {
    calls = new Calls();
    sut = new ReadBatches(calls.call, most, together);
  }

  /** Items written `woken:<account>:<n>` go together by account, as the reads a store woke do; the rest do not. */
  const byAccount = (most: number): Together<string> => ({ keyOf: (item) => (item.startsWith('woken:') ? item.split(':')[1] : null), most });

  /** Lets the event loop take its turn (the batches gather on setImmediate), and any promise callbacks settle. */
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  beforeEach(() => build());

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
    build(2);
    const items = ['a', 'b', 'c', 'd', 'e'].map((item) => sut.add(item));
    await nextTurn();
    expect(calls.carried).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    calls.made.forEach((call) => call.answer());
    expect(await Promise.all(items)).toEqual(['a:read', 'b:read', 'c:read', 'd:read', 'e:read']);
  });

  it('sends the items of the next turn in a call of their own while the first is still out, and answers each when its call does', async () => {
    const first = tracked(sut.add('a'));
    await nextTurn();
    const second = tracked(sut.add('b'));
    await nextTurn();
    expect(calls.carried).toEqual([['a'], ['b']]);
    calls.made[1].answer();
    await nextTurn();
    expect(second).toMatchObject({ state: 'resolved', value: 'b:read' });
    expect(first).toMatchObject({ state: 'pending' });
    calls.made[0].answer();
    await nextTurn();
    expect(first).toMatchObject({ state: 'resolved', value: 'a:read' });
  });

  it('sends nothing when nothing was added, and makes one call per turn however many items arrive in it', async () => {
    await nextTurn();
    expect(calls.made).toHaveLength(0);
    const items = Array.from({ length: 50 }, (_, index) => sut.add(`item-${index}`));
    await nextTurn();
    expect(calls.made).toHaveLength(1);
    expect(calls.carried[0]).toHaveLength(50);
    calls.made[0].answer();
    await Promise.all(items);
  });

  it('rejects each item of a call that rejects, with its error, and the next items still go', async () => {
    const error = new Error('Command timed out');
    const failing = ['a', 'b'].map((item) => sut.add(item).catch((reason: unknown) => reason));
    await nextTurn();
    const next = sut.add('c');
    await nextTurn();
    calls.made[0].fail(error);
    expect(await Promise.all(failing)).toEqual([error, error]);
    expect(calls.carried).toEqual([['a', 'b'], ['c']]);
    calls.made[1].answer();
    expect(await next).toBe('c:read');
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

  describe('with items that go together', () => {
    it('sends each group of a turn in a call of its own, past the bound of the others, and the others apart', async () => {
      build(2, byAccount(10));
      const woken = Array.from({ length: 5 }, (_, index) => `woken:YA0002:${index}`);
      const items = ['plain-1', ...woken, 'plain-2', 'woken:YA0003:0', 'plain-3'].map((item) => sut.add(item));
      await nextTurn();
      expect(calls.carried).toEqual([woken, ['woken:YA0003:0'], ['plain-1', 'plain-2'], ['plain-3']]);
      calls.made.forEach((call) => call.answer());
      expect(await Promise.all(items)).toEqual(['plain-1', ...woken, 'plain-2', 'woken:YA0003:0', 'plain-3'].map((item) => `${item}:read`));
    });

    it('puts at most its own bound of a group in a call', async () => {
      build(128, byAccount(2));
      const items = ['woken:YA0002:0', 'woken:YA0002:1', 'woken:YA0002:2'].map((item) => sut.add(item));
      await nextTurn();
      expect(calls.carried).toEqual([['woken:YA0002:0', 'woken:YA0002:1'], ['woken:YA0002:2']]);
      calls.made.forEach((call) => call.answer());
      await Promise.all(items);
    });

    it('gathers a group within a turn only: what comes in the next turn goes in a call of its own', async () => {
      build(128, byAccount(10));
      const first = sut.add('woken:YA0002:0');
      await nextTurn();
      const second = sut.add('woken:YA0002:1');
      await nextTurn();
      expect(calls.carried).toEqual([['woken:YA0002:0'], ['woken:YA0002:1']]);
      calls.made.forEach((call) => call.answer());
      expect([await first, await second]).toEqual(['woken:YA0002:0:read', 'woken:YA0002:1:read']);
    });

    it('fails the items of a group whose call fails, and only those', async () => {
      build(128, byAccount(10));
      const error = new Error('Command timed out');
      const items = ['woken:YA0002:0', 'plain', 'woken:YA0002:1'].map((item) => tracked(sut.add(item)));
      await nextTurn();
      expect(calls.carried).toEqual([['woken:YA0002:0', 'woken:YA0002:1'], ['plain']]);
      calls.made[0].fail(error);
      calls.made[1].answer();
      await nextTurn();
      expect(items.map((item) => item.state)).toEqual(['rejected', 'resolved', 'rejected']);
      expect(items[0].error).toBe(error);
    });
  });

  it('fails only the call that failed when a turn is split across calls', async () => {
    build(2);
    const error = new Error('Command timed out');
    const items = ['a', 'b', 'c'].map((item) => tracked(sut.add(item)));
    await nextTurn();
    calls.made[0].fail(error);
    calls.made[1].answer();
    await nextTurn();
    expect(items.map((item) => item.state)).toEqual(['rejected', 'rejected', 'resolved']);
    expect(items[2].value).toBe('c:read');
  });
});
