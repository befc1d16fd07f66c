import { Injectable, OnModuleDestroy } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ServiceClientRegistry } from '../access/service-client.registry';
import { mayRead } from '../access/service-client';
import { bearerKey } from '../access/service-key.guard';
import { serviceClientOf, VaultRequest } from '../access/vault-request';
import { EventFanOut } from './event-fan-out';
import { EventReplay, Replay } from './event-replay';
import { EventStream } from './event-stream';
import { compareEventIds, FeedEvent } from './feed-event';
import { HeldRequestMetrics } from './held-request-metrics';
import { HeldRequests } from './held-requests';
import { parseLastEventId } from './last-event-id';
import { TokenFeedSettings } from './token-feed.config';

/**
 * `GET /v1/events`: opens event streams and keeps them. Anything refused (a bad Last-Event-ID, the bound, a store
 * that cannot replay) is refused before the answer starts, as JSON; a stream resumed after a Last-Event-ID has its
 * replay (EventReplay) made first. From then on the stream is written directly, and ends when its client goes, its
 * key is revoked, or the replica shuts down. One heartbeat timer serves every open stream.
 */
@Injectable()
export class EventStreams implements OnModuleDestroy {
  private readonly open = new Set<EventStream>();
  private heartbeat: NodeJS.Timeout | null = null;
  /** A change of the service clients is checked against every open stream at once, not at its next event or ping. */
  private readonly unwatchClients: () => void;

  constructor(
    private readonly replays: EventReplay,
    private readonly fanOut: EventFanOut,
    private readonly held: HeldRequests,
    private readonly registry: ServiceClientRegistry,
    private readonly settings: TokenFeedSettings,
    private readonly metrics: HeldRequestMetrics,
  ) {
    this.unwatchClients = registry.onReplace(() => {
      for (const stream of [...this.open]) stream.recheck();
    });
  }

  onModuleDestroy(): void {
    this.unwatchClients();
  }

  async serve(request: VaultRequest, reply: FastifyReply): Promise<void> {
    const after = parseLastEventId(request.headers['last-event-id']);
    const client = serviceClientOf(request);
    // ServiceKeyGuard let this key in; each event is checked against what the key is allowed when it comes.
    const key = bearerKey(request.headers.authorization) ?? '';
    const stream = new EventStream(reply.raw, () => this.registry.authenticate(key));
    const release = this.held.admit(client.name, 'events', () => stream.end());
    // Events that arrive while the stream replays wait their turn behind it.
    let pending: FeedEvent[] | null = [];
    const unsubscribe = this.fanOut.subscribe((event) => (pending ? pending.push(event) : stream.send(event)));
    let closed = false;
    const close = () => {
      closed = true;
      unsubscribe();
      release();
      stream.end();
      this.open.delete(stream);
      this.beat();
    };
    // The client may leave at any point from here on, the replay included.
    reply.raw.once('close', close);
    let replay: Replay | null = null;
    try {
      // Filtered as it is read, by the key as ServiceKeyGuard found it: what others may read is never kept for it.
      if (after !== null) replay = await this.replays.after(client.name, after, (event) => mayRead(client, event.body.clientId), () => closed);
    } catch (error) {
      reply.raw.removeListener('close', close);
      unsubscribe();
      release();
      throw error;
    }
    if (closed) return;
    this.metrics.streamOpens(request);
    reply.hijack();
    stream.open(String(request.id));
    if (replay?.reset) stream.reset(replay.through);
    for (const event of replay?.events ?? []) stream.send(event);
    // Live events that came during the replay: those it went through were sent with it, or were not the key's.
    const through = replay ? replay.through : null;
    for (const event of pending) if (through === null || compareEventIds(event.id, through) > 0) stream.send(event);
    pending = null;
    this.open.add(stream);
    this.beat();
  }

  /** The heartbeat runs while a stream is open, and only then. */
  private beat(): void {
    if (this.open.size > 0 && this.heartbeat === null) {
      this.heartbeat = setInterval(() => {
        for (const stream of [...this.open]) stream.ping();
      }, this.settings.heartbeatMs);
    } else if (this.open.size === 0 && this.heartbeat !== null) {
      clearInterval(this.heartbeat);
      this.heartbeat = null;
    }
  }
}
