import { IST_OFFSET_MS } from '../../clock/ist-time';

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * The instant of consumeApp-consent's `expiryTime`. Dhan writes it as `2025-09-23T12:37:23`, with no zone; that it
 * is India's time is inferred (Dhan's docs give no zone). Read so, a time Dhan meant as UTC would end the token
 * 5½ hours early, never late. An explicit zone or offset is taken as written; anything else is undefined.
 */
export function dhanExpiryTime(text: unknown): Date | undefined {
  if (typeof text !== 'string') return undefined;
  const match = DATE_TIME.exec(text.trim());
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction = '', zone] = match;
  const local = `${year}-${month}-${day}T${hour}:${minute}:${second}${fraction.slice(0, 4)}`;
  const instant = new Date(`${local}${zone ?? 'Z'}`);
  if (Number.isNaN(instant.getTime())) return undefined;
  // Date accepts 2025-02-30 as 2 March: a day that does not exist is no expiry.
  if (zone === undefined && instant.toISOString().slice(0, 19) !== `${year}-${month}-${day}T${hour}:${minute}:${second}`) return undefined;
  return zone === undefined ? new Date(instant.getTime() - IST_OFFSET_MS) : instant;
}
