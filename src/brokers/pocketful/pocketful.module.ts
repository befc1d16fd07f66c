import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { BrokerMetricsModule } from '../broker-metrics.module';
import { PocketfulClient } from './pocketful.client';

@Module({
  imports: [HttpModule, BrokerMetricsModule],
  providers: [PocketfulClient],
  exports: [PocketfulClient],
})
export class PocketfulModule {}
