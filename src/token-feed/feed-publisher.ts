import { Injectable, OnModuleInit } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { formatIst } from '../clock/ist-time';
import { CoordinationStore } from '../coordination/coordination.store';
import { RedisKeys } from '../redis/redis-keys';
import { TokenEvents, TokenExpiring } from '../tokens/token-events';
import { EventFanOut } from './event-fan-out';
import { EventFeed } from './event-feed';
import { FeedEventBody, FeedEventType } from './feed-event';

/** An expiring event's claim outlives the token by this much, so no replica announces it twice. */
const EXPIRING_CLAIM_MARGIN_MS = 60 * 60_000;
const PRUNE_EVERY_MS = 60_000;

/**
 * Puts what TokenEvents says happened on this replica into the feed, for every replica: a store, a delete, a token
 * Pocketful refused. Only account, times and reason go in, never the token. An expiring token is seen by every
 * replica's alert scan, on every scan while its alert is due; it goes in once, by whoever claims its alert id.
 */
@Injectable()
export class FeedPublisher implements OnModuleInit {
  /** Alert ids this replica has handled, until their token expires: a scan a minute must not claim each again. */
  private readonly announced = new Map<string, number>();
  private prunedAt = 0;

  constructor(
    private readonly events: TokenEvents,
    private readonly feed: EventFeed,
    private readonly fanOut: EventFanOut,
    private readonly coordination: CoordinationStore,
    private readonly keys: RedisKeys,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.events.onStored((token) => {
      // The reads waiting here are woken at once, whatever becomes of the append.
      this.fanOut.wake(token.clientId);
      return this.append('token.stored', { clientId: token.clientId, expiresAt: formatIst(token.expiresAt), at: this.now() });
    });
    this.events.onDeleted(({ clientId, at, expiresAt }) =>
      this.append('token.removed', { clientId, expiresAt: expiresAt && formatIst(expiresAt), at: formatIst(at), reason: 'deleted' }),
    );
    this.events.onInvalidated(({ clientId, at, expiresAt }) =>
      this.append('token.removed', { clientId, expiresAt: formatIst(expiresAt), at: formatIst(at), reason: 'invalid' }),
    );
    this.events.onExpiring((expiring) => this.announceExpiring(expiring));
  }

  private async announceExpiring({ clientId, expiresAt, alertId }: TokenExpiring): Promise<void> {
    const now = this.clock.now().getTime();
    this.forgetExpired(now);
    if (this.announced.has(alertId) || expiresAt.getTime() <= now) return;
    this.announced.set(alertId, expiresAt.getTime());
    try {
      const claimFor = expiresAt.getTime() - now + EXPIRING_CLAIM_MARGIN_MS;
      if (!(await this.coordination.acquire(this.keys.eventClaim(alertId), claimFor))) return;
    } catch (error) {
      // The next scan tries again.
      this.announced.delete(alertId);
      throw error;
    }
    await this.append('token.expiring', { clientId, expiresAt: formatIst(expiresAt), at: formatIst(new Date(now)) });
  }

  /** Now and then, not per event: a scan at the open of a large desk says ten thousand of them at once. */
  private forgetExpired(now: number): void {
    if (now - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = now;
    for (const [id, expiry] of this.announced) if (expiry <= now) this.announced.delete(id);
  }

  private append(type: FeedEventType, body: FeedEventBody): Promise<void> {
    return this.feed.append({ type, body });
  }

  private now(): string {
    return formatIst(this.clock.now());
  }
}
