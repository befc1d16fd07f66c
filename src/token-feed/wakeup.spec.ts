import { Wakeup } from './wakeup';

describe(Wakeup.name, () => {
  it('hands a store heard while the read was busy to its next turn, once', async () => {
    const wakeup = new Wakeup();
    wakeup.storedNow();
    wakeup.storedNow();
    expect(await wakeup.next()).toBe('stored');
    let second: string | null = null;
    void wakeup.next().then((reason) => (second = reason));
    await Promise.resolve();
    expect(second).toBeNull();
    wakeup.storedNow();
    await Promise.resolve();
    expect(second).toBe('stored');
  });

  it('keeps the first end, over any store, for every turn after', async () => {
    const wakeup = new Wakeup();
    wakeup.storedNow();
    wakeup.end('timeout');
    wakeup.end('gone');
    expect(await wakeup.next()).toBe('timeout');
    expect(await wakeup.next()).toBe('timeout');
  });

  it('wakes a waiting turn when the end comes', async () => {
    const wakeup = new Wakeup();
    const turn = wakeup.next();
    wakeup.end('closing');
    expect(await turn).toBe('closing');
  });
});
