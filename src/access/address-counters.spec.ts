import { ManualClock } from '../../test/support/manual-clock';
import { BASE_DAY } from '../../test/support/test-time';
import { AddressCounters } from './address-counters';

const A = '203.0.113.7';
const B = '198.51.100.4';

describe(AddressCounters.name, () => {
  let clock: ManualClock;
  let sut: AddressCounters;

  beforeEach(() => {
    clock = new ManualClock(BASE_DAY.at('10:00'));
    sut = new AddressCounters(clock, 60_000, 3);
  });

  it('counts each address apart, in a window from its first hit, and starts afresh once it is over', () => {
    expect(sut.count(A)).toEqual({ count: 1, resetInMs: 60_000 });
    clock.advance(20_000);
    expect(sut.count(A)).toEqual({ count: 2, resetInMs: 40_000 });
    expect(sut.count(B)).toEqual({ count: 1, resetInMs: 60_000 });
    clock.advance(40_000);
    expect(sut.count(A)).toEqual({ count: 1, resetInMs: 60_000 });
  });

  it('takes one back from a running window, never below zero, and never from one that is over', () => {
    sut.count(A);
    sut.count(A);
    sut.uncount(A);
    expect(sut.count(A).count).toBe(2);
    for (let i = 0; i < 4; i += 1) sut.uncount(A);
    expect(sut.count(A).count).toBe(1);
    clock.advance(60_000);
    sut.uncount(A);
    expect(sut.count(A).count).toBe(1);
  });

  it('holds at most its capacity of addresses: ended windows go first, then the oldest running one', () => {
    sut.count('192.0.2.1');
    clock.advance(30_000);
    sut.count('192.0.2.2');
    sut.count('192.0.2.3');
    clock.advance(30_000);
    // The first window is over: it makes the room.
    sut.count('192.0.2.4');
    expect(sut.size).toBe(3);
    // None is over: the oldest running one (192.0.2.2) goes.
    sut.count('192.0.2.5');
    expect(sut.size).toBe(3);
    expect(sut.count('192.0.2.3').count).toBe(2);
    expect(sut.count('192.0.2.2').count).toBe(1);
  });
});
