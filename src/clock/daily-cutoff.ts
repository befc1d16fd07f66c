import { formatTimeOfDay, IST_OFFSET_MS, IstTimeOfDay, parseTimeOfDay } from './ist-time';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** The time of day, in India, at which the broker invalidates every token it issued before it. */
export class DailyCutoff {
  private constructor(readonly minutesAfterMidnight: IstTimeOfDay) {}

  static readonly MIDNIGHT = new DailyCutoff(0);

  static parse(text: string): DailyCutoff {
    const minutes = parseTimeOfDay(text);
    if (minutes === null) throw new Error(`"${text}" is not a time of day as HH:MM (00:00 to 23:59)`);
    return new DailyCutoff(minutes);
  }

  static isValid(text: string): boolean {
    return parseTimeOfDay(text) !== null;
  }

  /** The first cut-off strictly after `instant`: a token issued exactly at the cut-off lives until the next one. */
  nextAfter(instant: Date): Date {
    const istMs = instant.getTime() + IST_OFFSET_MS;
    const istDayStart = Math.floor(istMs / DAY_MS) * DAY_MS;
    let cutoffIst = istDayStart + this.minutesAfterMidnight * MINUTE_MS;
    if (cutoffIst <= istMs) cutoffIst += DAY_MS;
    return new Date(cutoffIst - IST_OFFSET_MS);
  }

  toString(): string {
    return formatTimeOfDay(this.minutesAfterMidnight);
  }
}
