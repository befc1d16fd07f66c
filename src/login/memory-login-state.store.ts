import { Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { digestsEqual } from '../crypto/digest';
import { LoginStateStore, PendingLogin, StateTake } from './login-state.store';

interface Entry {
  /** Null once the state was taken: the verifier goes with it. */
  pending: PendingLogin | null;
  /** What the login stored, once it did, and for which browser. */
  done?: { browserHash: string; account: string; expiresAt: Date };
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

  async saveState(stateHash: string, login: PendingLogin, lifetimeMs: number): Promise<void> {
    this.sweep();
    this.states.set(stateHash, { pending: { ...login }, expiresAt: this.clock.now().getTime() + lifetimeMs });
  }

  async takeState(stateHash: string, browserHash: string): Promise<StateTake> {
    this.sweep();
    const entry = this.states.get(stateHash);
    if (!entry) return { use: 'unknown' };
    if (!entry.pending) {
      const done = entry.done;
      return done && digestsEqual(done.browserHash, browserHash) ? { use: 'done', account: done.account, expiresAt: done.expiresAt } : { use: 'used' };
    }
    if (!digestsEqual(entry.pending.browserHash, browserHash)) return { use: 'mismatch' };
    const { verifier } = entry.pending;
    entry.pending = null;
    return { use: 'fresh', verifier };
  }

  async completeState(stateHash: string, browserHash: string, account: string, expiresAt: Date): Promise<void> {
    this.sweep();
    const entry = this.states.get(stateHash);
    if (entry && !entry.pending) entry.done = { browserHash, account, expiresAt };
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
