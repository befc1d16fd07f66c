import { Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { LoginStateStore, StateUse } from './login-state.store';

interface Entry {
  used: boolean;
  expiresAt: number;
}

/** One process only: enough for the demo, where there is one replica. */
@Injectable()
export class MemoryLoginStateStore extends LoginStateStore {
  private readonly states = new Map<string, Entry>();
  private readonly codes = new Map<string, number>();

  constructor(private readonly clock: Clock) {
    super();
  }

  async saveState(stateHash: string, lifetimeMs: number): Promise<void> {
    this.sweep();
    this.states.set(stateHash, { used: false, expiresAt: this.clock.now().getTime() + lifetimeMs });
  }

  async takeState(stateHash: string): Promise<StateUse> {
    this.sweep();
    const entry = this.states.get(stateHash);
    if (!entry) return 'unknown';
    if (entry.used) return 'used';
    entry.used = true;
    return 'fresh';
  }

  async claimCode(codeHash: string, lifetimeMs: number): Promise<boolean> {
    this.sweep();
    if (this.codes.has(codeHash)) return false;
    this.codes.set(codeHash, this.clock.now().getTime() + lifetimeMs);
    return true;
  }

  private sweep(): void {
    const now = this.clock.now().getTime();
    for (const [key, entry] of this.states) if (entry.expiresAt <= now) this.states.delete(key);
    for (const [key, expiresAt] of this.codes) if (expiresAt <= now) this.codes.delete(key);
  }
}
