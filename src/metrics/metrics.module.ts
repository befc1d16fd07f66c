import { Global, Module } from '@nestjs/common';
import { VaultMetrics } from './vault-metrics';

/** The app's one registry, global: every layer records in it. Served at /metrics by scrape/. */
@Global()
@Module({
  providers: [VaultMetrics],
  exports: [VaultMetrics],
})
export class MetricsModule {}
