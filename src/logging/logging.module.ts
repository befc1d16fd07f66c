import { DynamicModule, Module } from '@nestjs/common';
import { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import { LoggingSettings } from './logging.config';
import { serializeError, serializeRequest, serializeResponse } from './log-serializers';


const TOKEN_READ = /^\/v1\/tokens\/[^/?]+(\?|$)/;

export function loggerOptions(settings: LoggingSettings): Options {
  return {
    level: settings.level,
    base: { service: 'token-vault' },
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
    // Probes and scrapes come every few seconds and would drown the rest. Behind Nest's Fastify middleware `url` is relative
    // to the mount point; `originalUrl` is the path the probe asked for.
    autoLogging: {
      ignore: (request: IncomingMessage & { originalUrl?: string }) => /^\/(health\/|metrics)/.test(request.originalUrl ?? request.url ?? ''),
    },
    customLogLevel: (request: IncomingMessage & { originalUrl?: string }, response, error) => {
      if (error || response.statusCode >= 500) return 'error';
      if (response.statusCode >= 400) return 'warn';
      // A served token read is in the audit trail already; at market open there are thousands a second.
      return request.method === 'GET' && TOKEN_READ.test(request.originalUrl ?? request.url ?? '') ? 'debug' : 'info';
    },
  };
}

@Module({})
export class LoggingModule {
  /** `stream` lets a test read every line the vault writes. */
  static forRoot(settings: LoggingSettings, stream?: DestinationStream): DynamicModule {
    const options = loggerOptions(settings);
    return {
      module: LoggingModule,
      imports: [LoggerModule.forRoot({ pinoHttp: stream ? [options, stream] : options })],
      exports: [LoggerModule],
    };
  }
}
