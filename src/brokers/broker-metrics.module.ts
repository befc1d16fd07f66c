import { Module } from '@nestjs/common';
import { BrokerMetrics } from './broker-metrics';

/** The one BrokerMetrics of an app, for Pocketful's client and the other brokers' adapters alike. */
@Module({
  providers: [BrokerMetrics],
  exports: [BrokerMetrics],
})
export class BrokerMetricsModule {}
