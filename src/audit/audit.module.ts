import { DynamicModule, Global, Module } from '@nestjs/common';
import { RefusalRecorder } from '../http/refusal-recorder';
import { StorageKind } from '../redis/storage.config';
import { AuditController } from './audit.controller';
import { AuditLog } from './audit-log';
import { AuditTrail } from './audit-trail';
import { AuditInterceptor } from './audited';
import { MemoryAuditLog } from './memory-audit.log';
import { OutcomeMetrics } from './outcome-metrics';
import { RedisAuditLog } from './redis-audit.log';

@Global()
@Module({})
export class AuditModule {
  static forRoot(kind: StorageKind): DynamicModule {
    return {
      module: AuditModule,
      controllers: [AuditController],
      providers: [
        { provide: AuditLog, useClass: kind === 'redis' ? RedisAuditLog : MemoryAuditLog },
        AuditTrail,
        AuditInterceptor,
        { provide: RefusalRecorder, useExisting: AuditTrail },
        OutcomeMetrics,
      ],
      exports: [AuditLog, AuditTrail, AuditInterceptor, RefusalRecorder, OutcomeMetrics],
    };
  }
}
