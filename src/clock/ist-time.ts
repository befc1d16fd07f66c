const MINUTE_MS = 60_000;

/**
 * Asia/Kolkata is UTC+05:30 all year: India has kept no daylight saving since 1945, so a fixed offset is exact
 * and keeps the arithmetic independent of the host's time zone and its tz database.
 */
export const IST_OFFSET_MS = 330 * MINUTE_MS;

/** A time of day in India, as minutes after midnight IST. */
export type IstTimeOfDay = number;

const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** `HH:MM`, 00:00 to 23:59, as operators write a time of day in India; null for anything else. */
export function parseTimeOfDay(text: string): IstTimeOfDay | null {
  const match = TIME_OF_DAY.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

export function formatTimeOfDay(minutes: IstTimeOfDay): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** ISO-8601 with the India offset, e.g. `2026-11-23T00:00:00+05:30`: what an operator in India reads. */
export function formatIst(instant: Date): string {
  const shifted = new Date(instant.getTime() + IST_OFFSET_MS).toISOString();
  return `${shifted.slice(0, 19)}+05:30`;
}

/**
 * Written out rather than asked of Intl: the first toLocaleString of a process loads ICU's data, some 18 ms of the
 * event loop, and every later one builds a formatter (about 70 µs). The login's page is made in the middle of the
 * herd its token wakes (README's "The herd at market open"); the names are also the same on any ICU build.
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** `23 Nov 2026, 00:00:00 IST`: for pages a person reads. */
export function formatIstForPeople(instant: Date): string {
  const shifted = new Date(instant.getTime() + IST_OFFSET_MS);
  const day = shifted.getUTCDate();
  const month = MONTHS[shifted.getUTCMonth()];
  const time = shifted.toISOString().slice(11, 19);
  return `${day} ${month} ${shifted.getUTCFullYear()}, ${time} IST`;
}
