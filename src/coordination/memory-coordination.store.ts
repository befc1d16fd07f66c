import { Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { CoordinationStore } from './coordination.store';

const HELD = 'held';

/** One process is its own only replica: a map with expiry by the vault's clock. */
@Injectable()
export class MemoryCoordinationStore extends CoordinationStore {
  private readonly keys = new Map<string, { value: string; expiresAt: number }>();

  constructor(private readonly clock: Clock) {
    super();
  }

  async acquire(key: string, ttlMs: number): Promise<boolean> {
    // Checked and taken with no await between: callers in the same tick must not both see the key free.
    if (this.current(key) !== null) return false;
    this.keys.set(key, { value: HELD, expiresAt: this.clock.now().getTime() + ttlMs });
    return true;
  }

  async settle(key: string, value: string, ttlMs: number): Promise<void> {
    this.keys.set(key, { value, expiresAt: this.clock.now().getTime() + ttlMs });
  }

  async read(key: string): Promise<string | null> {
    return this.current(key);
  }

  private current(key: string): string | null {
    const entry = this.keys.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= this.clock.now().getTime()) {
      this.keys.delete(key);
      return null;
    }
    return entry.value;
  }
}
