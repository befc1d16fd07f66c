import { DynamicModule, Global, Module } from '@nestjs/common';
import { StorageKind } from '../redis/storage.config';
import { CoordinationStore } from './coordination.store';
import { MemoryCoordinationStore } from './memory-coordination.store';
import { RedisCoordinationStore } from './redis-coordination.store';

@Global()
@Module({})
export class CoordinationModule {
  static forRoot(kind: StorageKind): DynamicModule {
    const binding = { provide: CoordinationStore, useClass: kind === 'redis' ? RedisCoordinationStore : MemoryCoordinationStore };
    return { module: CoordinationModule, providers: [binding], exports: [CoordinationStore] };
  }
}
