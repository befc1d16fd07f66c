import { LoggerService } from '@nestjs/common';
import { VaultLog } from './vault-logger';

/**
 * What Nest and the vault's classes say through `Logger` (from @nestjs/common), written by pino with the class as
 * `context`. Stacks are never written: an error's stack and message can carry what the failed call carried.
 */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly pino: VaultLog) {}

  log(message: unknown, ...rest: unknown[]): void {
    const context = contextOf(rest);
    // Some fifty lines a start (each module initialised, each route mapped) would bury the one line that says where
    // the vault listens: they are kept for LOG_LEVEL=debug.
    if (context !== undefined && FRAMEWORK_START_UP.test(context)) this.pino.debug({ context }, String(message));
    else this.pino.info({ context }, String(message));
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.pino.error({ context: contextOf(rest) }, String(message));
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.pino.warn({ context: contextOf(rest) }, String(message));
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.pino.debug({ context: contextOf(rest) }, String(message));
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.pino.trace({ context: contextOf(rest) }, String(message));
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.pino.fatal({ context: contextOf(rest) }, String(message));
  }
}

/** Nest's own start-up contexts; a bundle may prefix a class's name with `_`. */
const FRAMEWORK_START_UP = /^_?(NestFactory|InstanceLoader|RoutesResolver|RouterExplorer|NestApplication)$/;

/** Nest passes the logger's context as the last argument. */
function contextOf(rest: unknown[]): string | undefined {
  const last = rest[rest.length - 1];
  return typeof last === 'string' ? last : undefined;
}
