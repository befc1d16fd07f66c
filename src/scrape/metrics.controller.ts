import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { VaultMetrics } from '../metrics/vault-metrics';
import { ApiErrors } from '../openapi/api-errors';
import { ScrapeGuard } from './scrape.guard';

@Controller('metrics')
@ApiTags('health')
export class MetricsController {
  constructor(private readonly metrics: VaultMetrics) {}

  /** Prometheus' text format, for the scrapers METRICS_AUTH lets in. */
  @Get()
  @UseGuards(ScrapeGuard)
  @ApiOperation({
    summary: "Prometheus metrics, in Prometheus' text format",
    description: 'As METRICS_AUTH says: open (none), a bearer secret (bearer, bearer-file), or callers from listed addresses (allow).',
  })
  @ApiSecurity('metricsToken')
  @ApiSecurity({})
  @ApiOkResponse({ content: { 'text/plain': { schema: { type: 'string' }, example: 'token_vault_token_reads_total{result="served"} 42\n' } } })
  @ApiErrors('unauthorized', 'forbidden')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.scrape();
  }
}
