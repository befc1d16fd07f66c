import { Clock } from '../../src/clock/clock';

/**
 * A clock that starts at a chosen instant and then moves with real time, as Redis's expiries do: for a store that
 * must see time pass for real (a key dropped at its lifetime) while the vault stands on the tests' base day.
 */
export class RunningClock extends Clock {
  private offsetMs: number;

  constructor(start: Date) {
    super();
    this.offsetMs = start.getTime() - Date.now();
  }

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** Jumps to an instant, and keeps running from there. */
  moveTo(instant: Date): void {
    this.offsetMs = instant.getTime() - Date.now();
  }

  /** Jumps ahead, and keeps running from there. */
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
