export type Ending = 'timeout' | 'gone' | 'closing';
export type WakeReason = 'stored' | Ending;

/**
 * What a waiting read hears next: a token stored for its account (as often as that happens), or its end (its time
 * run out, its caller gone, the replica closing). An end, once come, is all it hears from then on; a store heard
 * while the read was busy is kept for its next turn, so none falls between two.
 */
export class Wakeup {
  private stored = false;
  private ending: Ending | null = null;
  private waiting: ((reason: WakeReason) => void) | null = null;

  storedNow(): void {
    this.stored = true;
    this.hand();
  }

  end(reason: Ending): void {
    this.ending ??= reason;
    this.hand();
  }

  next(): Promise<WakeReason> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.hand();
    });
  }

  private hand(): void {
    const reason = this.ending ?? (this.stored ? 'stored' : null);
    if (this.waiting === null || reason === null) return;
    const resolve = this.waiting;
    this.waiting = null;
    this.stored = false;
    resolve(reason);
  }
}
