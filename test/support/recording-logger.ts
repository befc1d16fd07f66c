import { LoggerService } from '@nestjs/common';

export interface LoggedLine {
  level: 'log' | 'warn' | 'error' | 'debug' | 'verbose' | 'fatal';
  message: string;
  /** The context Nest's Logger names the line with: the class that logged it. */
  context?: string;
}

/**
 * Every line a unit under test logs through Nest's Logger, kept in order: give it to a testing module's
 * `setLogger`. A spec reads what was logged at which level, and that no secret is in any of it.
 */
export class RecordingLogger implements LoggerService {
  readonly lines: LoggedLine[] = [];

  log(message: unknown, context?: string) {
    this.keep('log', message, context);
  }
  warn(message: unknown, context?: string) {
    this.keep('warn', message, context);
  }
  error(message: unknown, ...rest: unknown[]) {
    // Nest passes error(message, stack?, context): the context is the last string.
    const context = rest.filter((part): part is string => typeof part === 'string').pop();
    this.keep('error', message, context);
  }
  debug(message: unknown, context?: string) {
    this.keep('debug', message, context);
  }
  verbose(message: unknown, context?: string) {
    this.keep('verbose', message, context);
  }
  fatal(message: unknown, context?: string) {
    this.keep('fatal', message, context);
  }

  /** Forgets what was logged so far: Nest's own lines while a testing module compiles, say. */
  clear(): void {
    this.lines.length = 0;
  }

  /** The messages logged at `level`, in order. */
  at(level: LoggedLine['level']): string[] {
    return this.lines.filter((line) => line.level === level).map((line) => line.message);
  }

  /** Everything logged, as one text to search. */
  get text(): string {
    return this.lines.map((line) => `${line.level} ${line.context ?? ''} ${line.message}`).join('\n');
  }

  private keep(level: LoggedLine['level'], message: unknown, context: string | undefined) {
    this.lines.push({ level, message: typeof message === 'string' ? message : JSON.stringify(message), context });
  }
}
