import { IST_OFFSET_MS, IstTimeOfDay } from '../clock/ist-time';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/**
 * When alerts fall due, as pure functions of the clock: the scanner asks them at every tick, and so does every
 * replica, so they must give the same answer for the same instant.
 */

/**
 * The lead time whose alert is due now for a token expiring at `expiresAt`, or null. Each lead owns the span from
 * its own moment to the next shorter lead's moment (the shortest, to the expiry): a token stored ten minutes
 * before expiry, with leads of 60 and 15 minutes, is in the 15-minute span and gets that alert at once, and never
 * the 60-minute one, whose span has passed.
 */
export function dueLead(expiresAt: Date, leadsMs: readonly number[], now: Date): number | null {
  const left = expiresAt.getTime() - now.getTime();
  if (left <= 0) return null;
  const descending = [...leadsMs].sort((a, b) => b - a);
  for (let index = 0; index < descending.length; index += 1) {
    const lead = descending[index];
    const shorter = descending[index + 1] ?? 0;
    if (left <= lead && left > shorter) return lead;
  }
  return null;
}

export interface DueCheck {
  /** The IST date, `YYYY-MM-DD`. */
  date: string;
  time: IstTimeOfDay;
  at: Date;
}

/**
 * The missing-token check due now: the latest of the day's check times that has passed, if it passed less than
 * `graceMs` ago, on a weekday in India. Only the latest: a vault that was down over 08:30 and 09:00 sends one
 * alert when it comes back, not two.
 */
export function dueMissingCheck(times: readonly IstTimeOfDay[], now: Date, graceMs: number): DueCheck | null {
  const istMs = now.getTime() + IST_OFFSET_MS;
  const dayStartIst = Math.floor(istMs / DAY_MS) * DAY_MS;
  const weekday = new Date(dayStartIst).getUTCDay();
  if (weekday === 0 || weekday === 6) return null;
  const minutesNow = (istMs - dayStartIst) / MINUTE_MS;
  const passed = times.filter((time) => time <= minutesNow);
  if (passed.length === 0) return null;
  const time = Math.max(...passed);
  const at = new Date(dayStartIst + time * MINUTE_MS - IST_OFFSET_MS);
  if (now.getTime() - at.getTime() >= graceMs) return null;
  return { date: new Date(dayStartIst).toISOString().slice(0, 10), time, at };
}

/** `60m,15m`, `1h`, `90s`: durations as operators write them. */
export function parseDuration(text: string): number | null {
  const match = /^(\d{1,6})(ms|s|m|h)$/.exec(text.trim());
  if (!match) return null;
  const unit = { ms: 1, s: 1000, m: MINUTE_MS, h: 60 * MINUTE_MS }[match[2] as 'ms' | 's' | 'm' | 'h'];
  const value = Number(match[1]) * unit;
  return value > 0 ? value : null;
}

export function formatDuration(ms: number): string {
  if (ms % (60 * MINUTE_MS) === 0) return `${ms / (60 * MINUTE_MS)} h`;
  if (ms % MINUTE_MS === 0) return `${ms / MINUTE_MS} min`;
  return `${Math.round(ms / 1000)} s`;
}

export interface DuePreopenAttempt extends DueCheck {
  /** 0: the check itself; 1 to `retries`: a retry of the accounts it could not settle. */
  attempt: number;
}

/**
 * The attempt of the day's pre-open check due now, every day in India: attempt n owns the `stepMs` from
 * `time + n × stepMs`, so a vault that starts late in the window still checks, and one tick in each step is enough.
 * Null before the check's time and once the last retry's step has passed.
 */
export function duePreopenAttempt(time: IstTimeOfDay, now: Date, stepMs: number, retries: number): DuePreopenAttempt | null {
  const istMs = now.getTime() + IST_OFFSET_MS;
  const dayStartIst = Math.floor(istMs / DAY_MS) * DAY_MS;
  const at = new Date(dayStartIst + time * MINUTE_MS - IST_OFFSET_MS);
  const since = now.getTime() - at.getTime();
  if (since < 0) return null;
  const attempt = Math.floor(since / stepMs);
  if (attempt > retries) return null;
  return { date: new Date(dayStartIst).toISOString().slice(0, 10), time, at, attempt };
}
