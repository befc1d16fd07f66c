import { IST_OFFSET_MS } from './daily-cutoff';

/** ISO-8601 with the India offset, e.g. `2026-11-23T00:00:00+05:30`: what an operator in India reads. */
export function formatIst(instant: Date): string {
  const shifted = new Date(instant.getTime() + IST_OFFSET_MS).toISOString();
  return `${shifted.slice(0, 19)}+05:30`;
}

/** `23 Nov 2026, 00:00:00 IST`: for pages a person reads. */
export function formatIstForPeople(instant: Date): string {
  const shifted = new Date(instant.getTime() + IST_OFFSET_MS);
  const day = shifted.getUTCDate();
  const month = shifted.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' });
  const time = shifted.toISOString().slice(11, 19);
  return `${day} ${month} ${shifted.getUTCFullYear()}, ${time} IST`;
}
