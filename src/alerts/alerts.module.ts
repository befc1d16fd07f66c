import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { ALERT_CHANNELS, configuredChannels } from './alert-channels';
import { AlertDelivery } from './alert-delivery';
import { AlertDispatcher } from './alert-dispatcher';
import { AlertScanner } from './alert-scanner';
import { AlertService } from './alert.service';
import { AlertSettings } from './alert-settings';

@Module({
  imports: [HttpModule],
  providers: [
    { provide: ALERT_CHANNELS, inject: [AlertSettings], useFactory: configuredChannels },
    AlertDelivery,
    AlertDispatcher,
    AlertScanner,
    AlertService,
  ],
  exports: [AlertService],
})
export class AlertsModule {}
