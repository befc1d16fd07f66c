/**
 * Where the time-dependent tests stand: one base instant, and days and times in India built from it. A test writes
 * "the base day at 23:59:59 IST" or "the first Monday after the base at 10:00 IST", never a calendar date, so it
 * passes on any day it runs.
 *
 * The base is the real now, unless TEST_BASE_TIME moves it: `month-end` (the last day of this month in India,
 * 23:59:50 IST), `year-end` (31 December, 23:59:50 IST) or an ISO-8601 instant. `npm test` runs the time-dependent
 * suites at the first three (jest.config.js), against a real Redis on the real clock: the vault's clock is a
 * ManualClock at the base, and Redis lifetimes come from it, so the base may be far from the real now.
 *
 * The arithmetic is written here again rather than borrowed from src/: a test that checks the vault's IST maths
 * against the vault's own IST maths could not fail.
 */
const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const IST_OFFSET_MS = 330 * MINUTE_MS;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A calendar day in India (Asia/Kolkata, UTC+05:30 all year). */
export class IstDay {
  /** @param start the instant of 00:00:00 IST that day */
  private constructor(private readonly start: number) {}

  static of(instant: Date): IstDay {
    const istMs = instant.getTime() + IST_OFFSET_MS;
    return new IstDay(Math.floor(istMs / DAY_MS) * DAY_MS - IST_OFFSET_MS);
  }

  /** The instant of a time of day (`HH:MM` or `HH:MM:SS`) on this day in India. */
  at(time: string): Date {
    const match = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(time);
    if (!match) throw new Error(`"${time}" is not HH:MM[:SS]`);
    const [, hours, minutes, seconds = '0'] = match;
    return new Date(this.start + ((Number(hours) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000);
  }

  plus(days: number): IstDay {
    return new IstDay(this.start + days * DAY_MS);
  }

  get weekday(): Weekday {
    return WEEKDAYS[new Date(this.start + IST_OFFSET_MS).getUTCDay()];
  }

  /** The first day strictly after this one that falls on `weekday`. */
  next(weekday: Weekday): IstDay {
    let day = this.plus(1);
    while (day.weekday !== weekday) day = day.plus(1);
    return day;
  }

  /** `2026-11-24` */
  toString(): string {
    return new Date(this.start + IST_OFFSET_MS).toISOString().slice(0, 10);
  }
}

/** `2026-11-24T00:00:00+05:30`: how the API writes an instant. */
export function istIso(instant: Date): string {
  return `${new Date(instant.getTime() + IST_OFFSET_MS).toISOString().slice(0, 19)}+05:30`;
}

/** `24 Nov 2026, 00:00:00 IST`: how pages and alerts write an instant for people. */
export function istForPeople(instant: Date): string {
  const shifted = new Date(instant.getTime() + IST_OFFSET_MS);
  const time = shifted.toISOString().slice(11, 19);
  return `${shifted.getUTCDate()} ${MONTHS[shifted.getUTCMonth()]} ${shifted.getUTCFullYear()}, ${time} IST`;
}

/** The base for a TEST_BASE_TIME value, seen from `realNow`. */
export function resolveBase(spec: string | undefined, realNow: Date): Date {
  const today = IstDay.of(realNow);
  if (spec === undefined || spec === '' || spec === 'now') return realNow;
  if (spec === 'month-end') {
    let day = today;
    while (day.plus(1).toString().slice(0, 7) === today.toString().slice(0, 7)) day = day.plus(1);
    return day.at('23:59:50');
  }
  if (spec === 'year-end') {
    let day = today;
    while (day.plus(1).toString().slice(0, 4) === today.toString().slice(0, 4)) day = day.plus(1);
    return day.at('23:59:50');
  }
  const instant = new Date(spec);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(spec) || Number.isNaN(instant.getTime())) {
    throw new Error(`TEST_BASE_TIME="${spec}" is not now, month-end, year-end or an ISO-8601 instant`);
  }
  return instant;
}

/** The instant this run of the tests takes as now: a Jest project's `globals.TEST_BASE_TIME`, else the variable. */
export const BASE_TIME: Date = resolveBase((globalThis as { TEST_BASE_TIME?: string }).TEST_BASE_TIME ?? process.env.TEST_BASE_TIME, new Date());

/** The base's day in India. */
export const BASE_DAY: IstDay = IstDay.of(BASE_TIME);

/** The minute in India that `instant` falls in, as HH:MM. */
export function istMinuteOf(instant: Date): string {
  const minuteOfDay = Math.floor((instant.getTime() + IST_OFFSET_MS) / MINUTE_MS) % (DAY_MS / MINUTE_MS);
  return `${String(Math.floor(minuteOfDay / 60)).padStart(2, '0')}:${String(minuteOfDay % 60).padStart(2, '0')}`;
}

/**
 * A TOKEN_EXPIRY_TIME some 12 hours past the real now, for a vault on the real clock: with Pocketful's own 00:00 IST
 * cut-off, a token stored a minute before it would die in the middle of the test, whatever the spec is about.
 */
export const expiryTimeFarFromNow = (): string => istMinuteOf(new Date(Date.now() + 12 * 3_600_000));
