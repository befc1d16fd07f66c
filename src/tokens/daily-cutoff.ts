const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
/**
 * Asia/Kolkata is UTC+05:30 all year: India has kept no daylight saving since 1945, so a fixed offset is exact
 * and keeps the arithmetic independent of the host's time zone and its tz database.
 */
export const IST_OFFSET_MS = 330 * MINUTE_MS;

const CUTOFF_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** The time of day, in India, at which the broker invalidates every token it issued before it. */
export class DailyCutoff {
  private constructor(readonly minutesAfterMidnight: number) {}

  static readonly MIDNIGHT = new DailyCutoff(0);

  static parse(text: string): DailyCutoff {
    const match = CUTOFF_PATTERN.exec(text);
    if (!match) throw new Error(`"${text}" is not a time of day as HH:MM (00:00 to 23:59)`);
    return new DailyCutoff(Number(match[1]) * 60 + Number(match[2]));
  }

  static isValid(text: string): boolean {
    return CUTOFF_PATTERN.test(text);
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
    const hours = Math.floor(this.minutesAfterMidnight / 60);
    const minutes = this.minutesAfterMidnight % 60;
    return `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
  }
}

/**
 * Pocketful's `expires_in` says about a day whatever the hour, but every token dies at the cut-off: the
 * earlier of the two is the truth.
 */
export function tokenExpiry(issuedAt: Date, expiresInSeconds: number | undefined, cutoff: DailyCutoff): Date {
  const atCutoff = cutoff.nextAfter(issuedAt);
  if (expiresInSeconds === undefined) return atCutoff;
  const byLifetime = new Date(issuedAt.getTime() + expiresInSeconds * 1000);
  return byLifetime < atCutoff ? byLifetime : atCutoff;
}
