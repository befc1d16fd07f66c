import { Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { CoordinationStore } from './coordination.store';

const HELD = 'held';

/** One process is its own only replica: a map with expiry by the vault's clock. */
@Injectable()
export class MemoryCoordinationStore extends CoordinationStore {
  private readonly keys = new Map<string, { value: string; expiresAt: number }>();
  private readonly sets = new Map<string, { members: Set<string>; expiresAt: number }>();

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

  async release(key: string): Promise<void> {
    if (this.current(key) === HELD) this.keys.delete(key);
  }

  async notIn(setKey: string, members: readonly string[]): Promise<{ absent: string[]; size: number }> {
    const set = this.liveSet(setKey);
    return { absent: members.filter((member) => !set?.has(member)), size: set?.size ?? 0 };
  }

  async settleAdding(claimKey: string, value: string, setKey: string, members: readonly string[], ttlMs: number): Promise<void> {
    const expiresAt = this.clock.now().getTime() + ttlMs;
    const set = this.liveSet(setKey) ?? new Set<string>();
    for (const member of members) set.add(member);
    this.sets.set(setKey, { members: set, expiresAt });
    this.keys.set(claimKey, { value, expiresAt });
  }

  async count(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }> {
    const now = this.clock.now().getTime();
    const entry = this.keys.get(key);
    const live = entry && entry.expiresAt > now ? entry : { value: '0', expiresAt: now + windowMs };
    live.value = String(Number(live.value) + 1);
    this.keys.set(key, live);
    return { count: Number(live.value), resetInMs: live.expiresAt - now };
  }

  async peek(key: string): Promise<{ count: number; resetInMs: number }> {
    const now = this.clock.now().getTime();
    const entry = this.keys.get(key);
    return entry && entry.expiresAt > now ? { count: Number(entry.value) || 0, resetInMs: entry.expiresAt - now } : { count: 0, resetInMs: 0 };
  }

  async uncount(key: string): Promise<void> {
    const count = Number(this.current(key));
    if (count > 0) this.keys.get(key)!.value = String(count - 1);
  }

  private liveSet(key: string): Set<string> | null {
    const entry = this.sets.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= this.clock.now().getTime()) {
      this.sets.delete(key);
      return null;
    }
    return entry.members;
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
