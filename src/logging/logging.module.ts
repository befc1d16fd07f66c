import { DynamicModule, Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import { VaultConfig } from '../config/vault-config';
import { serializeError, serializeRequest, serializeResponse } from './log-serializers';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function loggerOptions(config: VaultConfig): Options {
  return {
    level: config.logLevel,
    base: { service: 'token-vault' },
    genReqId: (request: IncomingMessage, response: ServerResponse) => {
      const incoming = request.headers['x-request-id'];
      const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
      response.setHeader('X-Request-Id', id);
      return id;
    },
    serializers: { req: serializeRequest, res: serializeResponse, err: serializeError },
    // A second line of defence behind the serializers, for anything a future log call passes by mistake.
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        '*.accessToken',
        '*.access_token',
        '*.secret',
        '*.key',
      ],
      censor: '[redacted]',
    },
    autoLogging: { ignore: (request: IncomingMessage) => request.url?.startsWith('/health/') === true },
    customLogLevel: (_request, response, error) =>
      error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
  };
}

@Module({})
export class LoggingModule {
  /** `stream` lets a test read every line the vault writes. */
  static forRoot(config: VaultConfig, stream?: DestinationStream): DynamicModule {
    const options = loggerOptions(config);
    return {
      module: LoggingModule,
      imports: [LoggerModule.forRoot({ pinoHttp: stream ? [options, stream] : options })],
      exports: [LoggerModule],
    };
  }
}
