interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

export interface BatchLimits {
  /** The most items one call carries. */
  most: number;
  /** How long items may wait for the call before theirs to come back, in ms. */
  holdMs: number;
}

/**
 * Items arriving together go out together, in one call that answers each: they are gathered until the event loop
 * has taken in what arrived (one turn), and while a call is out, for up to `holdMs`. A call costs both ends a fixed
 * share (a write that wakes the other side, a read, a script's start) whatever its size; under load the call
 * before is back well within `holdMs`, and one that stalls holds the items behind it no longer than that beyond its
 * own deadline. A call that fails fails each of its items.
 */
export class ReadBatches<T, R> {
  private waiting: Array<Waiting<T, R>> = [];
  private calling = 0;
  private lastCallAt = 0;
  private holding: NodeJS.Timeout | null = null;

  constructor(
    private readonly call: (items: T[]) => Promise<R[]>,
    private readonly limits: BatchLimits,
  ) {}

  add(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.waiting.length === 1 && this.holding === null) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    if (this.waiting.length === 0 || this.holding !== null) return;
    const held = performance.now() - this.lastCallAt;
    if (this.calling > 0 && held < this.limits.holdMs) {
      this.holding = setTimeout(() => this.release(), this.limits.holdMs - held);
      return;
    }
    while (this.waiting.length > 0) this.send(this.waiting.splice(0, this.limits.most));
  }

  private send(batch: Array<Waiting<T, R>>): void {
    this.calling += 1;
    this.lastCallAt = performance.now();
    let sent: Promise<R[]>;
    try {
      sent = this.call(batch.map((waiting) => waiting.item));
    } catch (error) {
      sent = Promise.reject(error);
    }
    sent.then(
      (results) => this.answered(() => batch.forEach((waiting, index) => waiting.resolve(results[index]))),
      (error: unknown) => this.answered(() => batch.forEach((waiting) => waiting.reject(error))),
    );
  }

  /** A call came back: its items are settled, and the items held behind it go out at once. */
  private answered(settle: () => void): void {
    this.calling -= 1;
    settle();
    this.release();
  }

  private release(): void {
    if (this.holding !== null) clearTimeout(this.holding);
    this.holding = null;
    this.flush();
  }
}
