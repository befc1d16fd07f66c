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

describe(`${Wakeup.name}, told that the clients changed`, () => {
  it('hands the change to the next turn, once', async () => {
    const sut = new Wakeup();
    sut.clientsChanged();
    sut.clientsChanged();
    expect(await sut.next()).toBe('clients');
    let second: string | null = null;
    void sut.next().then((reason) => (second = reason));
    await Promise.resolve();
    expect(second).toBeNull();
    sut.clientsChanged();
    await Promise.resolve();
    expect(second).toBe('clients');
  });

  it('hands a store heard with it as the store alone, which checks the key again anyway', async () => {
    const sut = new Wakeup();
    sut.clientsChanged();
    sut.storedNow();
    expect(await sut.next()).toBe('stored');
    let after: string | null = null;
    void sut.next().then((reason) => (after = reason));
    await Promise.resolve();
    expect(after).toBeNull();
  });

  it('gives way to an end', async () => {
    const sut = new Wakeup();
    sut.clientsChanged();
    sut.end('timeout');
    expect(await sut.next()).toBe('timeout');
  });
});
