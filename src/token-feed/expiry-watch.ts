import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { formatIst } from '../clock/ist-time';
import { CoordinationStore } from '../coordination/coordination.store';
import { RedisKeys } from '../redis/redis-keys';
import { TokenStore } from '../tokens/token.store';
import { EventFanOut } from './event-fan-out';
import { EventFeed } from './event-feed';

/** Tokens live less than a day; the index is read this far ahead at start. */
const LOOK_AHEAD_MS = 48 * 60 * 60_000;
/** An expiry that passed while this replica was starting (or every replica was down) is still announced, this late. */
const LOOK_BACK_MS = 5 * 60_000;
/** Longer than any replica's timer for the same instant can lag. */
const CLAIM_MS = 60 * 60_000;
/** setTimeout's longest wait. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/**
 * Announces `token.removed` (`expired`) when tokens reach their expiry. Every replica keeps one timer per distinct
 * expiry instant (most tokens share the daily cut-off): those in the expiry index at start, and those of every
 * `token.stored` event from any replica after, each of which sets its instant's timer again. At the instant, one
 * replica claims it and announces every account the index still holds at exactly that expiry: a token deleted or
 * replaced meanwhile has left the index, or holds another instant there. No polling: the index is read once at
 * start and once per instant.
 */
@Injectable()
export class ExpiryWatch implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ExpiryWatch.name);
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private unsubscribe: (() => void) | null = null;
  private stopped = false;

  constructor(
    private readonly store: TokenStore,
    private readonly feed: EventFeed,
    private readonly fanOut: EventFanOut,
    private readonly coordination: CoordinationStore,
    private readonly keys: RedisKeys,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.fanOut.subscribe((event) => {
      if (event.type === 'token.stored' && event.body.expiresAt) this.schedule(Date.parse(event.body.expiresAt));
    });
    void this.scheduleStored();
  }

  beforeApplicationShutdown(): void {
    this.stopped = true;
    this.unsubscribe?.();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private async scheduleStored(): Promise<void> {
    const now = this.clock.now().getTime();
    try {
      const entries = await this.store.expiringBetween(new Date(now - LOOK_BACK_MS), new Date(now + LOOK_AHEAD_MS));
      for (const { expiresAt } of entries) this.schedule(expiresAt.getTime());
    } catch (error) {
      this.logger.warn(`the expiries of tokens stored before this replica started are left to the others (${(error as { code?: string }).code ?? 'error'})`);
    }
  }

  /** (Re)arms the instant's timer from the clock as it stands now, so that a clock stepped forward is followed. */
  private schedule(instant: number): void {
    if (this.stopped || Number.isNaN(instant)) return;
    clearTimeout(this.timers.get(instant));
    const delay = Math.min(Math.max(instant - this.clock.now().getTime(), 0), LONGEST_TIMER_MS);
    const timer = setTimeout(() => {
      this.timers.delete(instant);
      // A timer runs by the host's time; the vault's clock decides whether the instant has come.
      if (instant > this.clock.now().getTime()) return this.schedule(instant);
      this.announce(instant).catch((error: { code?: string }) =>
        this.logger.warn(`the expiry at ${formatIst(new Date(instant))} was not announced (${error?.code ?? 'error'})`),
      );
    }, delay);
    this.timers.set(instant, timer);
  }

  private async announce(instant: number): Promise<void> {
    if (!(await this.coordination.acquire(this.keys.eventClaim(`expired:${instant}`), CLAIM_MS))) return;
    const expiry = new Date(instant);
    const expired = await this.store.expiringBetween(expiry, expiry);
    const at = formatIst(this.clock.now());
    await Promise.all(
      expired.map(({ clientId }) => this.feed.append({ type: 'token.removed', body: { clientId, expiresAt: formatIst(expiry), at, reason: 'expired' } })),
    );
  }
}
