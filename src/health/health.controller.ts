import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { KeyringHealthIndicator } from './keyring.health';
import { StoreHealthIndicator } from './store.health';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly store: StoreHealthIndicator,
    private readonly keys: KeyringHealthIndicator,
  ) {}

  /** The process answers: for a liveness probe, which must not fail because Redis is away. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** The vault can serve tokens: 503 while the store does not answer. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.store.check(), () => this.keys.check()]);
  }
}
