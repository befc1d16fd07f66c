import { Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { OpenScrapeWarning } from './open-scrape-warning';
import { ScrapeGuard } from './scrape.guard';

/** GET /metrics: who may scrape it (METRICS_AUTH), and the scrape, from the app's one registry (metrics/). */
@Module({
  controllers: [MetricsController],
  providers: [ScrapeGuard, OpenScrapeWarning],
})
export class ScrapeModule {}
