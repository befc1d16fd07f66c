import { Global, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { VaultMetrics } from './vault-metrics';

@Global()
@Module({
  controllers: [MetricsController],
  providers: [VaultMetrics],
  exports: [VaultMetrics],
})
export class MetricsModule {}
