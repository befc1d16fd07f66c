import { Clock } from '../clock/clock';

/** Far more addresses than fail at once in practice; the bound only keeps a spray of addresses from growing the map. */
const DEFAULT_CAPACITY = 10_000;

export interface Counted {
  count: number;
  resetInMs: number;
}

/**
 * Counters by address in this process only, each for a window that starts at its first hit (as the shared store's
 * counters do): what the failed-authentication limit still has while Redis does not answer. A map with expiry,
 * written here because it is a few lines; ended windows are swept when the map is full, and past its bound the
 * oldest window goes first.
 */
export class AddressCounters {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly windowMs: number,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  count(address: string): Counted {
    const now = this.clock.now().getTime();
    let window = this.live(address, now);
    if (window === null) {
      this.makeRoom(now);
      window = { count: 0, endsAt: now + this.windowMs };
      this.windows.set(address, window);
    }
    window.count += 1;
    return { count: window.count, resetInMs: window.endsAt - now };
  }

  /** Takes one back from a window still running, never below zero. */
  uncount(address: string): void {
    const window = this.live(address, this.clock.now().getTime());
    if (window !== null && window.count > 0) window.count -= 1;
  }

  get size(): number {
    return this.windows.size;
  }

  private live(address: string, now: number): { count: number; endsAt: number } | null {
    const window = this.windows.get(address);
    if (window === undefined) return null;
    if (window.endsAt > now) return window;
    this.windows.delete(address);
    return null;
  }

  private makeRoom(now: number): void {
    if (this.windows.size < this.capacity) return;
    for (const [address, window] of this.windows) if (window.endsAt <= now) this.windows.delete(address);
    // Insertion order is the order the windows began in: the first ends soonest.
    for (const address of this.windows.keys()) {
      if (this.windows.size < this.capacity) break;
      this.windows.delete(address);
    }
  }
}
