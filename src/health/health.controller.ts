import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../openapi/api-errors';
import { HealthResponse } from './health.api';
import type { FastifyReply } from 'fastify';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { shuttingDown } from '../errors/vault-error';
import { Draining } from '../http/draining';
import { ClientsFileHealthIndicator } from './clients-file.health';
import { KeyringHealthIndicator } from './keyring.health';
import { StoreHealthIndicator } from './store.health';

@Controller('health')
@ApiTags('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly store: StoreHealthIndicator,
    private readonly keys: KeyringHealthIndicator,
    private readonly clientsFile: ClientsFileHealthIndicator,
    private readonly draining: Draining,
  ) {}

  /** The process answers: for a liveness probe, which must not fail because Redis is away. */
  // Terminus would document its own 503 body; the exception filter answers `not_ready` instead (health.api.ts).
  @Get('live')
  @ApiOperation({ summary: 'The process answers: for a liveness probe' })
  @ApiOkResponse({ type: HealthResponse })
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  live() {
    return this.health.check([]);
  }

  /**
   * The vault can serve tokens: 503 while the store does not answer, while the clients file has been unusable past
   * its grace (its keys are refused), and from the moment it is told to stop, with its own code. A drain is
   * expected, so it is answered here rather than thrown, and never logged as a failure.
   */
  @Get('ready')
  @ApiOperation({ summary: 'The vault can serve tokens: for a readiness probe', description: '503 not_ready carries the indicators (`details.store.message`, `details.clientsFile.message`) beside `error` and `message`.' })
  @ApiOkResponse({ type: HealthResponse })
  @ApiErrors('not_ready', 'shutting_down')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  ready(@Res({ passthrough: true }) reply: FastifyReply) {
    if (this.draining.active) {
      const { status, code, message } = shuttingDown();
      reply.code(status);
      return { error: code, message };
    }
    return this.health.check([() => this.store.check(), () => this.keys.check(), () => this.clientsFile.check()]);
  }
}
