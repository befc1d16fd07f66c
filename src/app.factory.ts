import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import { AppModule, VaultAppOptions } from './app.module';
import { Clock } from './clock/clock';
import { OutcomeMetrics } from './audit/outcome-metrics';
import { NestPinoLogger } from './logging/nest-logger';
import { registerRequestLog } from './logging/request-log';
import { createVaultLog } from './logging/vault-logger';
import { requireAddressFromProxies } from './http/forwarded-address';
import { closeConnectionsWhileDraining, Draining } from './http/draining';
import { answerClientError, answerFrameworkError } from './http/protocol-errors';
import { registerRequestMetrics } from './http/request-metrics';
import { requestId } from './http/request-id';
import { API_HEADERS } from './http/security-headers';
import { VaultExceptionFilter } from './http/vault-exception.filter';
import { VaultFastifyAdapter } from './http/vault-fastify-adapter';
import { VaultMetrics } from './metrics/vault-metrics';
import { OpenApiDocument } from './openapi/openapi-document';

/** Token bodies are small; anything larger is a mistake or an attack. */
const BODY_LIMIT_BYTES = 16 * 1024;
/** Long enough that an over-long client id reaches the id check and gets its own error, not a bare 404. */
const MAX_PARAM_LENGTH = 16 * 1024;

export interface VaultAppFactoryOptions extends VaultAppOptions {
  /** Where log lines go (default: stdout). */
  logStream?: DestinationStream;
}

/** Builds the vault exactly as it runs, for main.ts, the demo and the tests alike. */
export async function createVaultApp(options: VaultAppFactoryOptions): Promise<NestFastifyApplication> {
  const log = createVaultLog(options.config.logging, options.logStream);
  const adapter = new VaultFastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // A request on a connection accepted before the listener closed is served, not refused with 503: the drain
    // (http/graceful-shutdown.ts) turns readiness away first, and the store stays open until the last answer.
    return503OnClosing: false,
    genReqId: requestId,
    trustProxy: options.config.http.trustedProxies.forFastify(),
    clientErrorHandler: answerClientError,
    frameworkErrors: answerFrameworkError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(options), adapter, {
    logger: new NestPinoLogger(log),
    abortOnError: false,
  });
  app.useGlobalFilters(app.get(VaultExceptionFilter));
  app.get(OpenApiDocument).describe(app);

  const fastify = app.getHttpAdapter().getInstance();
  // The API speaks JSON (and the sandbox's form posts); a text body is refused with 415 rather than half-parsed.
  fastify.removeContentTypeParser('text/plain');
  requireAddressFromProxies(fastify, options.config.http.trustedProxies);
  registerRequestLog(fastify, log, app.get(Clock));
  closeConnectionsWhileDraining(fastify, app.get(Draining));
  registerRequestMetrics(fastify, app.get(VaultMetrics));
  app.get(OutcomeMetrics).attach(fastify);
  fastify.addHook('onSend', (request, reply, payload, done) => {
    reply.headers(API_HEADERS);
    reply.header('X-Request-Id', request.id);
    done(null, payload);
  });
  await app.init();
  return app;
}
