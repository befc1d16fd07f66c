import { IST_OFFSET_MS } from './ist-time';
import { DailyCutoff } from './daily-cutoff';

// Every instant is written as a UTC ISO string, so the assertions hold whatever the host's time zone is.
const at = (iso: string) => new Date(iso);
const HOUR_S = 3600;

describe('DailyCutoff.parse / isValid', () => {
  it.each([
    ['00:00', 0],
    ['06:00', 360],
    ['03:30', 210],
    ['23:59', 1439],
  ])('parses %s as %i minutes after midnight and prints it back', (text, minutes) => {
    const cutoff = DailyCutoff.parse(text);
    expect(cutoff.minutesAfterMidnight).toBe(minutes);
    expect(cutoff.toString()).toBe(text);
    expect(DailyCutoff.isValid(text)).toBe(true);
  });

  it.each(['24:00', '7:5', '07:5', '7:05', 'aa:bb', '', '12:60', '12:00:00', ' 12:00', '12:00\n', '-1:00', '12-00'])(
    'refuses %j',
    (text) => {
      expect(DailyCutoff.isValid(text)).toBe(false);
      expect(() => DailyCutoff.parse(text)).toThrow('is not a time of day as HH:MM');
    },
  );

  it('MIDNIGHT is 00:00', () => {
    expect(DailyCutoff.MIDNIGHT.minutesAfterMidnight).toBe(0);
    expect(DailyCutoff.MIDNIGHT.toString()).toBe('00:00');
  });

  it('IST is a fixed UTC+05:30', () => {
    expect(IST_OFFSET_MS).toBe(5.5 * 3600 * 1000);
  });
});

describe('DailyCutoff.nextAfter (midnight IST)', () => {
  const midnight = DailyCutoff.MIDNIGHT;

  it('at 23:59:59 IST (18:29:59 UTC) the cut-off is one second later, 18:30:00 UTC the same UTC day', () => {
    expect(midnight.nextAfter(at('2026-11-22T18:29:59.000Z')).toISOString()).toBe('2026-11-22T18:30:00.000Z');
  });

  it('exactly at 00:00:00 IST (18:30:00 UTC) the cut-off is the NEXT midnight, 24 h later', () => {
    const issued = at('2026-11-22T18:30:00.000Z');
    const next = midnight.nextAfter(issued);
    expect(next.toISOString()).toBe('2026-11-23T18:30:00.000Z');
    expect(next.getTime() - issued.getTime()).toBe(24 * HOUR_S * 1000);
  });

  it('one millisecond after midnight IST still waits for the next midnight', () => {
    expect(midnight.nextAfter(at('2026-11-22T18:30:00.001Z')).toISOString()).toBe('2026-11-23T18:30:00.000Z');
  });

  it('a UTC-midnight instant (05:30 IST) belongs to the IST day that ends at 18:30 UTC that day', () => {
    expect(midnight.nextAfter(at('2026-11-23T00:00:00.000Z')).toISOString()).toBe('2026-11-23T18:30:00.000Z');
  });

  it('crosses month and year ends', () => {
    expect(midnight.nextAfter(at('2026-12-31T20:00:00.000Z')).toISOString()).toBe('2027-01-01T18:30:00.000Z');
    expect(midnight.nextAfter(at('2028-02-28T19:00:00.000Z')).toISOString()).toBe('2028-02-29T18:30:00.000Z');
  });

  it('works before 1970 too (negative epoch times)', () => {
    expect(midnight.nextAfter(at('1969-12-31T12:00:00.000Z')).toISOString()).toBe('1969-12-31T18:30:00.000Z');
  });

  it('does not use the host time zone: the result is the same as pure UTC arithmetic', () => {
    // Computed independently: IST midnight of day D is D 00:00 minus 5 h 30 m, in UTC.
    const issued = new Date(Date.UTC(2026, 5, 15, 10, 0, 0));
    const expected = Date.UTC(2026, 5, 16, 0, 0, 0) - IST_OFFSET_MS;
    expect(midnight.nextAfter(issued).getTime()).toBe(expected);
  });
});

describe('DailyCutoff.nextAfter (other cut-offs)', () => {
  it('06:00 IST: issued at 05:59:59 IST dies one second later', () => {
    const cutoff = DailyCutoff.parse('06:00');
    // 05:59:59 IST = 00:29:59 UTC
    expect(cutoff.nextAfter(at('2026-11-23T00:29:59.000Z')).toISOString()).toBe('2026-11-23T00:30:00.000Z');
  });

  it('06:00 IST: issued at 06:00 IST or after lives until 06:00 IST the next day', () => {
    const cutoff = DailyCutoff.parse('06:00');
    expect(cutoff.nextAfter(at('2026-11-23T00:30:00.000Z')).toISOString()).toBe('2026-11-24T00:30:00.000Z');
    // 23:00 IST on the 23rd = 17:30 UTC
    expect(cutoff.nextAfter(at('2026-11-23T17:30:00.000Z')).toISOString()).toBe('2026-11-24T00:30:00.000Z');
  });

  it('06:00 IST: issued just after midnight IST dies the same IST morning', () => {
    const cutoff = DailyCutoff.parse('06:00');
    // 00:00:01 IST on the 23rd = 18:30:01 UTC on the 22nd
    expect(cutoff.nextAfter(at('2026-11-22T18:30:01.000Z')).toISOString()).toBe('2026-11-23T00:30:00.000Z');
  });

  it('03:30 IST (22:00 UTC the day before): before and after it', () => {
    const cutoff = DailyCutoff.parse('03:30');
    // 03:29 IST on the 23rd = 21:59 UTC on the 22nd
    expect(cutoff.nextAfter(at('2026-11-22T21:59:00.000Z')).toISOString()).toBe('2026-11-22T22:00:00.000Z');
    // 03:30 IST exactly: the next one
    expect(cutoff.nextAfter(at('2026-11-22T22:00:00.000Z')).toISOString()).toBe('2026-11-23T22:00:00.000Z');
    // 10:00 IST on the 23rd = 04:30 UTC
    expect(cutoff.nextAfter(at('2026-11-23T04:30:00.000Z')).toISOString()).toBe('2026-11-23T22:00:00.000Z');
  });

  it('23:59 IST', () => {
    const cutoff = DailyCutoff.parse('23:59');
    // 23:58 IST = 18:28 UTC; 23:59 IST = 18:29 UTC
    expect(cutoff.nextAfter(at('2026-11-23T18:28:00.000Z')).toISOString()).toBe('2026-11-23T18:29:00.000Z');
    expect(cutoff.nextAfter(at('2026-11-23T18:29:00.000Z')).toISOString()).toBe('2026-11-24T18:29:00.000Z');
  });
});
