export type Ending = 'timeout' | 'gone' | 'closing';
export type WakeReason = 'stored' | 'clients' | Ending;

/**
 * What a waiting read hears next: a token stored for its account (as often as that happens), the service clients
 * changed (its key may be gone, or its scope narrowed), or its end (its time run out, its caller gone, the replica
 * closing). An end, once come, is all it hears from then on; a store or a change heard while the read was busy is
 * kept for its next turn, so none falls between two. A store covers a change heard with it: every read checks the
 * key again first.
 */
export class Wakeup {
  private stored = false;
  private clients = false;
  private ending: Ending | null = null;
  private waiting: ((reason: WakeReason) => void) | null = null;

  storedNow(): void {
    this.stored = true;
    this.hand();
  }

  clientsChanged(): void {
    this.clients = true;
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
    const reason = this.ending ?? (this.stored ? 'stored' : this.clients ? 'clients' : null);
    if (this.waiting === null || reason === null) return;
    const resolve = this.waiting;
    this.waiting = null;
    this.stored = false;
    this.clients = false;
    resolve(reason);
  }
}
