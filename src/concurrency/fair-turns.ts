/**
 * At most `most` tasks at once, the turns handed out in rotation among the parties waiting (an address, a client):
 * a party with a hundred waiting is served one, then every other party once, then its next. So a party that floods
 * waits behind itself, and anyone else waits for at most one turn per other party. Written here because it is a few
 * lines, and the queue libraries at hand serve in arrival order, which lets the flood go first (p-limit, the usual
 * one, is also ESM-only since its version 4, which this CommonJS build cannot load).
 */
export class FairTurns {
  private running = 0;
  /** The waiting, by party, in the order the parties are served in (a Map keeps insertion order). */
  private readonly waiting = new Map<string, Array<() => void>>();

  constructor(private readonly most = 1) {}

  /** Runs `task` when it is the party's turn, and hands the turn on when it settles. */
  async run<T>(party: string, task: () => Promise<T>): Promise<T> {
    await this.take(party);
    try {
      return await task();
    } finally {
      this.handOn();
    }
  }

  /** Running, and waiting. */
  get load(): { running: number; waiting: number } {
    let waiting = 0;
    for (const waiters of this.waiting.values()) waiting += waiters.length;
    return { running: this.running, waiting };
  }

  private take(party: string): Promise<void> {
    if (this.running < this.most) {
      this.running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const waiters = this.waiting.get(party);
      if (waiters) waiters.push(resolve);
      else this.waiting.set(party, [resolve]);
    });
  }

  /** The turn passes straight to the next party in the rotation, or is given back. */
  private handOn(): void {
    const next = this.waiting.entries().next();
    if (next.done) {
      this.running -= 1;
      return;
    }
    const [party, waiters] = next.value;
    const turn = waiters.shift()!;
    // To the back of the rotation, if it has more waiting.
    this.waiting.delete(party);
    if (waiters.length > 0) this.waiting.set(party, waiters);
    turn();
  }
}
