import { Injectable, Logger } from '@nestjs/common';
import { FeedEvent } from './feed-event';

type Listener = (event: FeedEvent) => void;

/**
 * Hands each event that reaches this process, from whichever replica, to whoever here waits for it: the reads
 * waiting for an account's token (by account, so a store wakes only its own waiters) and the open event streams.
 * In memory only: the process follows the feed once, however many wait.
 */
@Injectable()
export class EventFanOut {
  private readonly logger = new Logger(EventFanOut.name);
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly listeners = new Set<Listener>();

  /** Calls `wake` each time a token is stored for `clientId`, until the returned function is called. */
  onStored(clientId: string, wake: () => void): () => void {
    let waiting = this.waiters.get(clientId);
    if (!waiting) this.waiters.set(clientId, (waiting = new Set()));
    waiting.add(wake);
    return () => {
      waiting.delete(wake);
      if (waiting.size === 0 && this.waiters.get(clientId) === waiting) this.waiters.delete(clientId);
    };
  }

  /** Every event, until the returned function is called. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  deliver(event: FeedEvent): void {
    if (event.type === 'token.stored') this.wake(event.body.clientId);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error(`a listener of ${event.type} failed (${(error as { name?: string })?.name ?? 'error'})`);
      }
    }
  }

  /** Wakes the reads waiting for this account's token, as a store on this replica does before the feed brings it. */
  wake(clientId: string): void {
    for (const wake of [...(this.waiters.get(clientId) ?? [])]) wake();
  }

  /** How many wait here, and for how many accounts: what a leak would show first. */
  get size(): { waiters: number; accounts: number; listeners: number } {
    let waiters = 0;
    for (const waiting of this.waiters.values()) waiters += waiting.size;
    return { waiters, accounts: this.waiters.size, listeners: this.listeners.size };
  }
}
