import { Controller, Get, Header } from '@nestjs/common';
import { VaultMetrics } from './vault-metrics';

@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: VaultMetrics) {}

  /** Prometheus' text format, for a scraper on the cluster's network. */
  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
