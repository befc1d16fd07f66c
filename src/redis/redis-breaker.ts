export interface BreakerOptions {
  /** Consecutive failures that open it. */
  threshold: number;
  /** The pause between the end of one probe and the start of the next. */
  probeEveryMs: number;
  /** Asks Redis whether it can serve again; resolves when it can, rejects when not. */
  probe: () => Promise<void>;
  onOpen: (failures: number) => void;
  onClose: () => void;
}

/**
 * Stops sending to a Redis that does not answer. Closed, every command goes out and consecutive failures are
 * counted; at `threshold` it opens, and commands are refused at once instead of each waiting out its deadline
 * (ending a strategy's read in a millisecond rather than a second, and sparing a recovering Redis a backlog).
 * While open, one probe at a time asks Redis, `probeEveryMs` after the last; the first that succeeds, or any
 * command that does, closes it.
 *
 * Every command's timeout counts, whoever sent it. Letting off here a command that could time out by its own size
 * (a caller asking for much) would not help: the commands queued behind it on the one connection, and the replies
 * the process is too busy to read, time out too, and theirs count. Such commands are bounded where they are sent
 * instead (event replays read a page at a time, a few at once: EventReplay).
 */
export class RedisBreaker {
  private failures = 0;
  private opened = false;
  private probing = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly options: BreakerOptions) {}

  get isOpen(): boolean {
    return this.opened;
  }

  /** Redis answered. */
  succeeded(): void {
    this.failures = 0;
    if (this.opened) this.close();
  }

  /** Redis did not answer, or answered that it cannot serve. */
  failed(): void {
    if (this.opened) return;
    this.failures += 1;
    if (this.failures >= this.options.threshold) this.open();
  }

  /** Opens at once, for a failure that is certain (a replica) rather than one that may pass. */
  trip(): void {
    if (!this.opened) this.open();
  }

  /** Probes now rather than at the next interval (the connection came back), unless a probe is under way. */
  probeNow(): void {
    if (!this.opened || this.probing || this.stopped) return;
    this.clearTimer();
    void this.probe();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer();
  }

  private open(): void {
    this.opened = true;
    this.options.onOpen(this.failures);
    this.schedule();
  }

  private close(): void {
    this.opened = false;
    this.failures = 0;
    this.clearTimer();
    this.options.onClose();
  }

  private schedule(): void {
    if (this.stopped || !this.opened || this.probing || this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.probe();
    }, this.options.probeEveryMs);
  }

  private async probe(): Promise<void> {
    this.probing = true;
    let answered = false;
    try {
      await this.options.probe();
      answered = true;
    } catch {
      answered = false;
    } finally {
      this.probing = false;
    }
    if (this.stopped) return;
    if (answered) this.succeeded();
    else this.schedule();
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
