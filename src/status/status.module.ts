import { DynamicModule, Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module';
import { StorageKind } from '../redis/storage.config';
import { BuildInfoGauge } from './build-info.gauge';
import { MemoryReplicaRegistry } from './memory-replica.registry';
import { RedisReplicaRegistry } from './redis-replica.registry';
import { ReplicaHeartbeat } from './replica-heartbeat';
import { ReplicaRegistry } from './replica-registry';
import { StatusPageController } from './status-page.controller';
import { StatusController } from './status.controller';
import { StatusService } from './status.service';

/**
 * What an operator checks: the page at `/` and `GET /v1/status`, from one StatusService; the heartbeat by which
 * each replica is counted; and the build each runs, as a metric. The tokens and the alerts' delivery log come from
 * their global modules.
 */
@Module({})
export class StatusModule {
  static forRoot(kind: StorageKind): DynamicModule {
    return {
      module: StatusModule,
      imports: [HealthModule],
      controllers: [StatusPageController, StatusController],
      providers: [
        { provide: ReplicaRegistry, useClass: kind === 'redis' ? RedisReplicaRegistry : MemoryReplicaRegistry },
        ReplicaHeartbeat,
        StatusService,
        BuildInfoGauge,
      ],
    };
  }
}
