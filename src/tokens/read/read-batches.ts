interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Items of a turn that go in calls of their own: those `keyOf` gives the same key go together, up to `most` a call,
 * apart from the turn's others (which `keyOf` gives null).
 */
export interface Together<T> {
  keyOf: (item: T) => string | null;
  most: number;
}

/**
 * Items that arrive in one turn of the event loop go out together, in calls of at most `most` items, each call
 * answering each of its items. At market open hundreds of reads arrive in one turn; a call costs both ends a fixed
 * share (a write that wakes the other side, a read, a script's start) whatever its size, so they share it. Nothing
 * waits beyond its turn: a call goes out even while others are out, pipelined on the connection, so a read is never
 * held behind another's round trip. A call that fails fails each of its items.
 *
 * Items `together` names go in calls of their own, up to its own bound, before the turn's others: the reads a
 * login's store woke for one account (token-feed's waiting reads), whose answers are then all written before the
 * work each answer leaves behind (closing its connection, for one) delays the next.
 */
export class ReadBatches<T, R> {
  private waiting: Array<Waiting<T, R>> = [];

  constructor(
    private readonly call: (items: T[]) => Promise<R[]>,
    private readonly most: number,
    private readonly together: Together<T> | null = null,
  ) {}

  add(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      if (this.waiting.push({ item, resolve, reject }) === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const waiting = this.waiting;
    this.waiting = [];
    const others: Array<Waiting<T, R>> = [];
    const groups = new Map<string, Array<Waiting<T, R>>>();
    for (const entry of waiting) {
      const key = this.together?.keyOf(entry.item) ?? null;
      if (key === null) {
        others.push(entry);
        continue;
      }
      const group = groups.get(key);
      if (group) group.push(entry);
      else groups.set(key, [entry]);
    }
    for (const group of groups.values()) this.sendAll(group, this.together!.most);
    this.sendAll(others, this.most);
  }

  private sendAll(entries: Array<Waiting<T, R>>, most: number): void {
    for (let start = 0; start < entries.length; start += most) this.send(entries.slice(start, start + most));
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
