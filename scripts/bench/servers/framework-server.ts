import 'reflect-metadata';
import { Controller, Get, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { readFileSync } from 'node:fs';

/**
 * The ceiling for the vault: the same framework (NestJS on Fastify) and the same route shape, answering the
 * vault's JSON from memory, with no guard, no Redis, no logging. What the vault loses beyond this is its own work.
 * Run as `node framework-server.js PORT BODY_FILE`.
 */
const [port, bodyFile] = process.argv.slice(2);
const body: unknown = JSON.parse(readFileSync(bodyFile, 'utf8'));

@Controller('v1/tokens')
class TokensController {
  // The parameter is bound, unused, so that the ceiling pays for the routing and binding the vault's route does.
  @Get(':clientId')
  read(@Param('clientId') _clientId: string): unknown {
    return body;
  }
}

@Module({ controllers: [TokensController] })
class FrameworkModule {}

(async () => {
  const app = await NestFactory.create<NestFastifyApplication>(FrameworkModule, new FastifyAdapter(), { logger: ['error'] });
  await app.listen(Number(port), '127.0.0.1');
})().catch((error: Error) => {
  process.stderr.write(`framework server failed: ${error.message}\n`);
  process.exit(1);
});
