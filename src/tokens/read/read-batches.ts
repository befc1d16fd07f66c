interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Items that arrive in one turn of the event loop go out together, in calls of at most `most` items, each call
 * answering each of its items. At market open hundreds of reads arrive in one turn; a call costs both ends a fixed
 * share (a write that wakes the other side, a read, a script's start) whatever its size, so they share it. Nothing
 * waits beyond its turn: a call goes out even while others are out, pipelined on the connection, so a read is never
 * held behind another's round trip. A call that fails fails each of its items.
 */
export class ReadBatches<T, R> {
  private waiting: Array<Waiting<T, R>> = [];

  constructor(
    private readonly call: (items: T[]) => Promise<R[]>,
    private readonly most: number,
  ) {}

  add(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      if (this.waiting.push({ item, resolve, reject }) === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (let start = 0; start < waiting.length; start += this.most) this.send(waiting.slice(start, start + this.most));
  }

  private send(batch: Array<Waiting<T, R>>): void {
    let sent: Promise<R[]>;
    try {
      sent = this.call(batch.map((waiting) => waiting.item));
    } catch (error) {
      sent = Promise.reject(error);
    }
    sent.then(
      (results) => batch.forEach((waiting, index) => waiting.resolve(results[index])),
      (error: unknown) => batch.forEach((waiting) => waiting.reject(error)),
    );
  }
}
