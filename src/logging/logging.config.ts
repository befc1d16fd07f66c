import { IsIn, IsOptional } from 'class-validator';
import { configSlice } from '../config/config-slice';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

class LoggingVariables {
  @IsOptional()
  @IsIn(LEVELS, { message: `$property must be one of ${LEVELS.join(', ')}` })
  LOG_LEVEL?: string;
}

export class LoggingSettings {
  constructor(readonly level: string) {}
}

export const loggingConfig = configSlice({
  settings: LoggingSettings,
  variables: LoggingVariables,
  build: (env) => new LoggingSettings(env.LOG_LEVEL ?? 'info'),
});
