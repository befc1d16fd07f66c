import { HttpModule } from '@nestjs/axios';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { StorageKind } from '../redis/storage.config';
import { ALERT_CHANNELS, configuredChannels } from './alert-channels';
import { AlertDelivery } from './alert-delivery';
import { AlertDeliveryLog } from './alert-delivery-log';
import { AlertDispatcher } from './alert-dispatcher';
import { AlertScanner } from './alert-scanner';
import { AlertService } from './alert.service';
import { AlertSettings } from './alert-settings';
import { MemoryAlertDeliveryLog } from './memory-alert-delivery.log';
import { RedisAlertDeliveryLog } from './redis-alert-delivery.log';
import { PreopenCheck } from './preopen-check';
import { PreopenLog } from './preopen-log';

/** Global, so that the status page reads the channels and the delivery log without a second AlertService. */
@Global()
@Module({})
export class AlertsModule {
  static forRoot(kind: StorageKind): DynamicModule {
    return {
      module: AlertsModule,
      imports: [HttpModule],
      providers: [
        { provide: ALERT_CHANNELS, inject: [AlertSettings], useFactory: configuredChannels },
        { provide: AlertDeliveryLog, useClass: kind === 'redis' ? RedisAlertDeliveryLog : MemoryAlertDeliveryLog },
        AlertDelivery,
        AlertDispatcher,
        AlertScanner,
        AlertService,
        PreopenCheck,
        PreopenLog,
      ],
      exports: [AlertService, AlertDeliveryLog, PreopenLog, ALERT_CHANNELS],
    };
  }
}
