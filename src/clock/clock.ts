/**
 * The one source of "now" in the vault. Everything that depends on the time of day (expiry at midnight IST,
 * login state lifetimes) asks this, so tests can stand at 23:59:59 IST without waiting for it.
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
