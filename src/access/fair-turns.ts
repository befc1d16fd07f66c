/**
 * One turn at a time, handed out in rotation among the parties waiting (an address each, here): a party with a
 * hundred waiting is served one, then every other party once, then its next. So the party that floods waits behind
 * itself, and anyone else waits for at most one turn per other party. Written here because it is a dozen lines, and
 * the queue libraries at hand (p-limit and the like) serve in arrival order, which lets the flood go first.
 */
export class FairTurns {
  private busy = false;
  /** The waiting, by party, in the order the parties are served in (a Map keeps insertion order). */
  private readonly waiting = new Map<string, Array<() => void>>();

  /** Runs `task` when it is the party's turn, and hands the turn on when it settles. */
  async run<T>(party: string, task: () => Promise<T>): Promise<T> {
    await this.take(party);
    try {
      return await task();
    } finally {
      this.handOn();
    }
  }

  private take(party: string): Promise<void> {
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const waiters = this.waiting.get(party);
      if (waiters) waiters.push(resolve);
      else this.waiting.set(party, [resolve]);
    });
  }

  private handOn(): void {
    const next = this.waiting.entries().next();
    if (next.done) {
      this.busy = false;
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
