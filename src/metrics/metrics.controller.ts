import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { VaultMetrics } from './vault-metrics';

@Controller('metrics')
@ApiTags('health')
export class MetricsController {
  constructor(private readonly metrics: VaultMetrics) {}

  /** Prometheus' text format, for a scraper on the cluster's network. */
  @Get()
  @ApiOperation({ summary: "Prometheus metrics, in Prometheus' text format" })
  @ApiOkResponse({ content: { 'text/plain': { schema: { type: 'string' }, example: 'token_vault_token_reads_total{result="served"} 42\n' } } })
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.scrape();
  }
}
