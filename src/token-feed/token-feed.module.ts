import { DynamicModule, Global, Module } from '@nestjs/common';
import { StorageKind } from '../redis/storage.config';
import { WaitingReads } from '../tokens/read/waiting-reads';
import { EventFanOut } from './event-fan-out';
import { EventFeed } from './event-feed';
import { EventReplay } from './event-replay';
import { EventStreams } from './event-streams';
import { EventsController } from './events.controller';
import { ExpiryWatch } from './expiry-watch';
import { FeedPublisher } from './feed-publisher';
import { HeldRequests } from './held-requests';
import { HeldRequestMetrics } from './held-request-metrics';
import { MemoryEventFeed } from './memory-event-feed';
import { RedisEventFeed } from './redis-event-feed';
import { FeedWaitingReads } from './feed-waiting-reads';

/**
 * What happens to tokens, as it happens, on every replica: reads that wait for a token (binding the WaitingReads port
 * of the tokens module, hence global), and the event streams of GET /v1/events. The feed is a Redis stream that each
 * process follows on one connection, or memory.
 */
@Global()
@Module({})
export class TokenFeedModule {
  static forRoot(kind: StorageKind): DynamicModule {
    return {
      module: TokenFeedModule,
      controllers: [EventsController],
      providers: [
        { provide: EventFeed, useClass: kind === 'redis' ? RedisEventFeed : MemoryEventFeed },
        EventFanOut,
        HeldRequests,
        HeldRequestMetrics,
        FeedPublisher,
        ExpiryWatch,
        EventReplay,
        EventStreams,
        { provide: WaitingReads, useClass: FeedWaitingReads },
      ],
      exports: [WaitingReads],
    };
  }
}
