import { FairTurns } from './fair-turns';

/** A task that runs until the test ends it, recording when it starts. */
function gate(started: string[], name: string) {
  let end!: () => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  return { task: () => (started.push(name), ended), end: () => end() };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe(FairTurns.name, () => {
  let sut: FairTurns;

  beforeEach(() => {
    sut = new FairTurns();
  });

  it('runs one task at a time', async () => {
    const started: string[] = [];
    const first = gate(started, 'first');
    const second = gate(started, 'second');
    const runs = [sut.run('a', first.task), sut.run('b', second.task)];
    await settle();
    expect(started).toEqual(['first']);
    first.end();
    await settle();
    expect(started).toEqual(['first', 'second']);
    second.end();
    await Promise.all(runs);
  });

  it('serves the parties waiting in rotation: a party that queued many waits behind itself, not the others behind it', async () => {
    const started: string[] = [];
    const gates = new Map<string, ReturnType<typeof gate>>();
    const runs: Array<Promise<unknown>> = [];
    const queue = (party: string, name: string) => {
      const made = gate(started, name);
      gates.set(name, made);
      runs.push(sut.run(party, made.task));
    };
    for (let index = 1; index <= 5; index += 1) queue('flood', `flood-${index}`);
    queue('operator', 'operator');
    queue('other', 'other');
    for (let turn = 0; turn < 7; turn += 1) {
      await settle();
      gates.get(started[started.length - 1])!.end();
    }
    await Promise.all(runs);
    expect(started).toEqual(['flood-1', 'flood-2', 'operator', 'other', 'flood-3', 'flood-4', 'flood-5']);
    expect(sut.load).toEqual({ running: 0, waiting: 0 });
  });

  it('runs up to its number at once, and hands each freed turn to the next party in the rotation', async () => {
    sut = new FairTurns(2);
    const started: string[] = [];
    const names = ['a1', 'a2', 'a3', 'a4', 'b1'];
    const gates = names.map((name) => gate(started, name));
    const runs = gates.map((made, index) => sut.run(names[index][0], made.task));
    await settle();
    expect(started).toEqual(['a1', 'a2']);
    expect(sut.load).toEqual({ running: 2, waiting: 3 });
    gates[0].end();
    await settle();
    expect(started).toEqual(['a1', 'a2', 'a3']);
    gates[1].end();
    await settle();
    // a went to the back of the rotation when it took its turn: b's one task comes before a's last.
    expect(started).toEqual(['a1', 'a2', 'a3', 'b1']);
    gates[2].end();
    await settle();
    expect(started).toEqual(['a1', 'a2', 'a3', 'b1', 'a4']);
    gates[3].end();
    gates[4].end();
    await Promise.all(runs);
    expect(sut.load).toEqual({ running: 0, waiting: 0 });
  });

  it('hands the turn on when a task fails, and passes its error to its caller', async () => {
    const failed = sut.run('a', async () => {
      throw new Error('scrypt failed');
    });
    const next = sut.run('b', async () => 'ran');
    await expect(failed).rejects.toThrow('scrypt failed');
    await expect(next).resolves.toBe('ran');
    expect(sut.load).toEqual({ running: 0, waiting: 0 });
  });
});
