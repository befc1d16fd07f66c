import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { BrokerMetrics } from '../broker-metrics';
import { PocketfulClient } from './pocketful.client';

@Module({
  imports: [HttpModule],
  providers: [PocketfulClient, BrokerMetrics],
  exports: [PocketfulClient],
})
export class PocketfulModule {}
