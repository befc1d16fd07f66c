import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { rateLimited } from '../errors/rate-limited';
import { shuttingDown } from '../errors/vault-error';
import { TokenFeedSettings } from './token-feed.config';

export type HeldKind = 'wait' | 'events';

/** A held request ends within its 55 s at most, an event stream when it likes: a few seconds is an honest guess. */
const RETRY_AFTER_SECONDS = 5;

interface Held {
  kind: HeldKind;
  end: () => void;
}

/**
 * The requests this replica holds open (reads waiting for a token, event streams), counted per service client and
 * bounded (HELD_REQUESTS_PER_CLIENT), and ended at shutdown before the server closes, so that closing waits for no
 * one: each is told to answer (a wait with 503 shutting_down, a stream by ending).
 */
@Injectable()
export class HeldRequests implements BeforeApplicationShutdown {
  private readonly perClient = new Map<string, number>();
  private readonly held = new Set<Held>();
  /** Clients refused since they last held fewer than the bound: each is said once, not on every refusal. */
  private readonly refused = new Set<string>();
  private readonly logger = new Logger(HeldRequests.name);
  private closing = false;

  constructor(private readonly settings: TokenFeedSettings) {}

  /**
   * Counts one more request held for `client`, or refuses it: 429 past the bound, 503 once the replica is closing.
   * `end` answers the request at shutdown. Returns the release, which may be called more than once.
   */
  admit(client: string, kind: HeldKind, end: () => void): () => void {
    if (this.closing) throw shuttingDown();
    const count = this.perClient.get(client) ?? 0;
    if (count >= this.settings.heldPerClient) {
      if (!this.refused.has(client)) {
        this.refused.add(client);
        this.logger.warn(`client ${client} holds ${count} waits and event streams open on this replica, its bound; further ones get 429 until one ends`);
      }
      throw rateLimited(RETRY_AFTER_SECONDS, `client ${client} already holds ${count} waits and event streams open on this replica`);
    }
    this.perClient.set(client, count + 1);
    const entry: Held = { kind, end };
    this.held.add(entry);
    return () => {
      if (!this.held.delete(entry)) return;
      const left = (this.perClient.get(client) ?? 1) - 1;
      if (left < this.settings.heldPerClient) this.refused.delete(client);
      if (left > 0) this.perClient.set(client, left);
      else this.perClient.delete(client);
    };
  }

  count(kind: HeldKind): number {
    let count = 0;
    for (const entry of this.held) if (entry.kind === kind) count += 1;
    return count;
  }

  /** How many clients hold anything: what a leak would show. */
  get clients(): number {
    return this.perClient.size;
  }

  beforeApplicationShutdown(): void {
    this.closing = true;
    for (const entry of [...this.held]) entry.end();
  }
}
