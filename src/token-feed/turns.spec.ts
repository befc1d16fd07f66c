import { Turns } from './turns';

/** A piece of work that runs until the test ends it. */
function held(): { work: () => Promise<string>; started: () => boolean; end: (value: string) => void } {
  let started = false;
  let end: (value: string) => void = () => undefined;
  const done = new Promise<string>((resolve) => (end = resolve));
  return {
    work: () => {
      started = true;
      return done;
    },
    started: () => started,
    end: (value) => end(value),
  };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe(Turns.name, () => {
  it('runs at most its number at once, the rest in the order they came, each as its turn comes', async () => {
    const sut = new Turns(2);
    const works = [held(), held(), held(), held()];
    const results = works.map((work) => sut.run(work.work));
    await settled();
    expect(works.map((work) => work.started())).toEqual([true, true, false, false]);
    expect(sut.load).toEqual({ running: 2, waiting: 2 });

    works[1].end('b');
    expect(await results[1]).toBe('b');
    await settled();
    expect(works.map((work) => work.started())).toEqual([true, true, true, false]);

    works[0].end('a');
    works[2].end('c');
    await settled();
    works[3].end('d');
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd']);
    expect(sut.load).toEqual({ running: 0, waiting: 0 });
  });

  it('passes the turn on when a piece of work fails', async () => {
    const sut = new Turns(1);
    const failing = sut.run(() => Promise.reject(new Error('no')));
    const next = sut.run(async () => 'next');
    await expect(failing).rejects.toThrow('no');
    expect(await next).toBe('next');
    expect(sut.load).toEqual({ running: 0, waiting: 0 });
  });
});
