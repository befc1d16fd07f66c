import { parseTimeOfDay } from '../clock/ist-time';
import { dueLead, dueMissingCheck, parseDuration } from './alert-schedule';

const ist = (local: string) => new Date(`${local}+05:30`);
const MIN = 60_000;
const LEADS = [60 * MIN, 15 * MIN];
const MIDNIGHT = ist('2026-11-24T00:00:00');

describe(dueLead.name, () => {
  it.each([
    ['10:00', null],
    ['22:59:59', null],
    ['23:00:00', 60 * MIN],
    ['23:44:59', 60 * MIN],
    ['23:45:00', 15 * MIN],
    ['23:50:00', 15 * MIN],
    ['23:59:59', 15 * MIN],
  ])('at %s IST before a midnight expiry, is %p', (time, lead) => {
    const at = ist(`2026-11-23T${time.length === 5 ? `${time}:00` : time}`);
    expect(dueLead(MIDNIGHT, LEADS, at)).toBe(lead);
  });

  it('is null once the token has expired', () => {
    expect(dueLead(MIDNIGHT, LEADS, MIDNIGHT)).toBeNull();
    expect(dueLead(MIDNIGHT, LEADS, ist('2026-11-24T00:00:01'))).toBeNull();
  });

  it('reads the leads in any order', () => {
    expect(dueLead(MIDNIGHT, [15 * MIN, 60 * MIN], ist('2026-11-23T23:30:00'))).toBe(60 * MIN);
  });
});

describe(dueMissingCheck.name, () => {
  const checks = [parseTimeOfDay('08:30')!, parseTimeOfDay('09:00')!];
  const grace = 60 * MIN;

  it('is due from each check time on a weekday, the latest that has passed', () => {
    expect(dueMissingCheck(checks, ist('2026-11-23T08:29:59'), grace)).toBeNull();
    expect(dueMissingCheck(checks, ist('2026-11-23T08:30:00'), grace)).toEqual({ date: '2026-11-23', time: 510, at: ist('2026-11-23T08:30:00') });
    expect(dueMissingCheck(checks, ist('2026-11-23T09:10:00'), grace)?.time).toBe(540);
  });

  it('lapses after the grace period', () => {
    expect(dueMissingCheck(checks, ist('2026-11-23T09:59:59'), grace)?.time).toBe(540);
    expect(dueMissingCheck(checks, ist('2026-11-23T10:00:00'), grace)).toBeNull();
  });

  it('is never due on Saturday or Sunday in India, even when it is Friday or Monday in UTC', () => {
    // 05:00 IST Saturday is still Friday 23:30 UTC; 08:30 IST Monday is Monday in both.
    expect(dueMissingCheck([parseTimeOfDay('05:00')!], ist('2026-11-28T05:00:00'), grace)).toBeNull();
    expect(dueMissingCheck(checks, ist('2026-11-29T08:30:00'), grace)).toBeNull();
    expect(dueMissingCheck([parseTimeOfDay('05:00')!], ist('2026-11-23T05:00:00'), grace)?.date).toBe('2026-11-23');
  });

  it('names the IST date, not the UTC one, for a check just after midnight IST', () => {
    expect(dueMissingCheck([parseTimeOfDay('00:10')!], ist('2026-11-24T00:10:00'), grace)?.date).toBe('2026-11-24');
  });
});

describe(parseDuration.name, () => {
  it.each([
    ['60m', 60 * MIN],
    ['15m', 15 * MIN],
    ['1h', 60 * MIN],
    ['30s', 30_000],
    ['250ms', 250],
  ])('reads %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '15', 'm', '0m', '-5m', '1d', '1.5h'])('refuses %p', (text) => expect(parseDuration(text)).toBeNull());
});

