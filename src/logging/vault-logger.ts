import pino, { DestinationStream, Logger as Pino, LoggerOptions } from 'pino';
import { LoggingSettings } from './logging.config';
import { serializeError, serializeRequest, serializeResponse } from './log-serializers';

export type VaultLog = Pino;

function options(settings: LoggingSettings): LoggerOptions {
  return {
    level: settings.level,
    base: { service: 'token-vault' },
    serializers: { req: serializeRequest, res: serializeResponse, err: serializeError },
    // A second line of defence behind the serializers, for anything a future log call passes by mistake.
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.accessToken', '*.access_token', '*.secret', '*.key'],
      censor: '[redacted]',
    },
  };
}

/**
 * The vault's one pino logger, JSON lines to stdout; `stream` lets a test read every line it writes. pino itself
 * rather than nestjs-pino: that module binds a child logger to every request through AsyncLocalStorage, which on
 * Node 20 costs every request more than the rest of a token read (README, Performance); the request log
 * (request-log.ts) names each request by its id instead.
 */
export function createVaultLog(settings: LoggingSettings, stream?: DestinationStream): VaultLog {
  return stream ? pino(options(settings), stream) : pino(options(settings));
}
