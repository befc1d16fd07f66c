import { expiryTimeFarFromNow, IstDay, istForPeople, istIso, istMinuteOf, resolveBase } from './test-time';

describe(resolveBase.name, () => {
  const wednesday = new Date('2027-02-10T06:00:00Z');

  it('is the real now by default', () => {
    expect(resolveBase(undefined, wednesday)).toBe(wednesday);
    expect(resolveBase('now', wednesday)).toBe(wednesday);
  });

  it('puts month-end at 23:59:50 IST on the last day of the month in India, leap years included', () => {
    expect(istIso(resolveBase('month-end', wednesday))).toBe('2027-02-28T23:59:50+05:30');
    expect(istIso(resolveBase('month-end', new Date('2028-02-01T00:00:00+05:30')))).toBe('2028-02-29T23:59:50+05:30');
    // 31 Jan 20:00 UTC is already 1 Feb in India.
    expect(istIso(resolveBase('month-end', new Date('2027-01-31T20:00:00Z')))).toBe('2027-02-28T23:59:50+05:30');
  });

  it('puts year-end at 23:59:50 IST on 31 December', () => {
    expect(istIso(resolveBase('year-end', wednesday))).toBe('2027-12-31T23:59:50+05:30');
  });

  it('takes an ISO-8601 instant, and refuses anything else', () => {
    expect(resolveBase('2030-06-01T12:00:00Z', wednesday).toISOString()).toBe('2030-06-01T12:00:00.000Z');
    expect(() => resolveBase('tomorrow', wednesday)).toThrow(/TEST_BASE_TIME="tomorrow"/);
  });
});

describe(IstDay.name, () => {
  const day = IstDay.of(new Date('2027-12-31T20:00:00Z')); // 1 Jan 2028, 01:30 IST

  it('is the day in India, not in UTC', () => {
    expect(day.toString()).toBe('2028-01-01');
    expect(day.weekday).toBe('Saturday');
  });

  it('gives instants at times of that day in India', () => {
    expect(day.at('00:00').toISOString()).toBe('2027-12-31T18:30:00.000Z');
    expect(day.at('23:59:59').toISOString()).toBe('2028-01-01T18:29:59.000Z');
  });

  it('counts days and finds the next weekday strictly after', () => {
    expect(day.plus(-1).toString()).toBe('2027-12-31');
    expect(day.next('Monday').toString()).toBe('2028-01-03');
    expect(day.next('Saturday').toString()).toBe('2028-01-08');
  });

  it('writes instants as the API and as people read them', () => {
    const midnight = day.plus(1).at('00:00');
    expect(istIso(midnight)).toBe('2028-01-02T00:00:00+05:30');
    expect(istForPeople(midnight)).toBe('2 Jan 2028, 00:00:00 IST');
  });
});

describe(istMinuteOf.name, () => {
  it('is the minute in India an instant falls in, across the hour and across midnight', () => {
    expect(istMinuteOf(new Date('2026-03-10T03:14:59.999Z'))).toBe('08:44'); // 08:44:59.999 IST
    expect(istMinuteOf(new Date('2026-03-10T03:15:00.000Z'))).toBe('08:45');
    expect(istMinuteOf(new Date('2026-03-10T04:29:30.000Z'))).toBe('09:59');
    expect(istMinuteOf(new Date('2026-03-10T18:30:00.000Z'))).toBe('00:00'); // 00:00:00 IST, the next day
  });
});

describe('expiryTimeFarFromNow', () => {
  it('is the minute in India some 12 hours past the real now, never within hours of it', () => {
    const before = Date.now();
    const expiry = expiryTimeFarFromNow();
    const after = Date.now();
    expect([istMinuteOf(new Date(before + 12 * 3_600_000)), istMinuteOf(new Date(after + 12 * 3_600_000))]).toContain(expiry);
    const [hours, minutes] = expiry.split(':').map(Number);
    const nowMinute = istMinuteOf(new Date(after)).split(':').map(Number);
    const ahead = (hours * 60 + minutes - (nowMinute[0] * 60 + nowMinute[1]) + 24 * 60) % (24 * 60);
    expect(ahead).toBeGreaterThanOrEqual(12 * 60 - 1);
    expect(ahead).toBeLessThanOrEqual(12 * 60);
  });
});
