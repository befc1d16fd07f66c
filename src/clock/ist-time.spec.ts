import { formatIst, formatIstForPeople } from './ist-time';

describe('formatIst', () => {
  it('writes an instant as India local time with +05:30', () => {
    expect(formatIst(new Date('2026-11-23T04:30:00.000Z'))).toBe('2026-11-23T10:00:00+05:30');
  });

  it('moves to the next date when UTC is at or after 18:30', () => {
    expect(formatIst(new Date('2026-11-22T18:30:00.000Z'))).toBe('2026-11-23T00:00:00+05:30');
    expect(formatIst(new Date('2026-11-22T23:59:59.000Z'))).toBe('2026-11-23T05:29:59+05:30');
  });

  it('stays on the same date one second before 18:30 UTC', () => {
    expect(formatIst(new Date('2026-11-22T18:29:59.000Z'))).toBe('2026-11-22T23:59:59+05:30');
  });

  it('crosses the year end', () => {
    expect(formatIst(new Date('2026-12-31T18:30:00.000Z'))).toBe('2027-01-01T00:00:00+05:30');
  });

  it('drops milliseconds and always has the YYYY-MM-DDTHH:mm:ss+05:30 shape', () => {
    const text = formatIst(new Date('2026-03-05T01:02:03.999Z'));
    expect(text).toBe('2026-03-05T06:32:03+05:30');
    expect(text).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+05:30$/);
  });

  it('reads back as the same instant (to the second)', () => {
    const instant = new Date('2026-07-14T21:45:17.000Z');
    expect(new Date(formatIst(instant)).getTime()).toBe(instant.getTime());
  });
});

describe('formatIstForPeople', () => {
  it('names the India date and time, across the UTC-date boundary', () => {
    expect(formatIstForPeople(new Date('2026-11-22T18:30:00.000Z'))).toBe('23 Nov 2026, 00:00:00 IST');
    expect(formatIstForPeople(new Date('2026-11-22T18:29:59.000Z'))).toBe('22 Nov 2026, 23:59:59 IST');
  });

  it('names every month in three letters, whatever ICU the process has', () => {
    const names = Array.from({ length: 12 }, (_, month) => formatIstForPeople(new Date(Date.UTC(2027, month, 15, 6, 30))).split(' ')[1]);
    expect(names).toEqual(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']);
  });

  it('takes the month of the India date, not of UTC, on the last evening of a month', () => {
    expect(formatIstForPeople(new Date('2026-11-30T18:30:00.000Z'))).toBe('1 Dec 2026, 00:00:00 IST');
  });
});
