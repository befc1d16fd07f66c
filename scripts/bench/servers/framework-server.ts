import 'reflect-metadata';
import { Controller, Get, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import Redis from 'ioredis';
import { readFileSync } from 'node:fs';

/**
 * The ceiling for the vault: the same framework (NestJS on Fastify) and the same route shape, answering the
 * vault's JSON from memory, with no guard, no Redis, no logging. What the vault loses beyond this is its own work.
 * Given a Redis URL, it is the bench's `hop` instead: the same answer once one GET of a key has come back from that
 * Redis, the round trip to another process that every read of the vault makes (its audit entry is written there
 * before the token leaves), with nothing else of the vault.
 * Run as `node framework-server.js PORT BODY_FILE [REDIS_URL]`.
 */
const [port, bodyFile, redisUrl] = process.argv.slice(2);
const body: unknown = JSON.parse(readFileSync(bodyFile, 'utf8'));
const redis = redisUrl ? new Redis(redisUrl) : null;

@Controller('v1/tokens')
class TokensController {
  // The parameter is bound, unused, so that the ceiling pays for the routing and binding the vault's route does.
  @Get(':clientId')
  // Without a Redis the answer is not a promise, as in the ceiling before the hop was measured beside it.
  read(@Param('clientId') _clientId: string): unknown {
    return redis ? redis.get('bench:hop').then(() => body) : body;
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
