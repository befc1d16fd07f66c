import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, ValidationError } from 'class-validator';
import { BuiltSettings, ConfigSlice, SettingsClass } from './config-slice';

export class InvalidConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`token-vault cannot start, the configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidConfigurationError';
  }
}

/** Every slice's settings, by settings class. */
export class Configuration implements BuiltSettings {
  private readonly values = new Map<SettingsClass<unknown>, object>();

  get<S>(settings: SettingsClass<S>): S {
    const value = this.values.get(settings);
    if (value === undefined) throw new Error(`the configuration has no ${settings.name}`);
    return value as S;
  }

  /** Each settings class with its value, for binding them in the app. */
  entries(): Array<[SettingsClass<unknown>, object]> {
    return [...this.values];
  }

  set<S extends object>(settings: SettingsClass<S>, value: S): void {
    this.values.set(settings, value);
  }
}

/**
 * Validates every slice's variables at once and reports every problem in one error, naming the variables, never
 * their values; then builds each slice's settings in the order given, and asks each what conflicts with the others.
 */
export function loadConfiguration(raw: Record<string, string | undefined>, slices: readonly ConfigSlice[]): Configuration {
  const present = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined && value !== ''));
  const variables = slices.map((slice) => plainToInstance(slice.variables, present));
  const problems = [
    ...placeholders(present, variableNames(slices)),
    ...variables.flatMap((instance) => describe(validateSync(instance, { whitelist: false, forbidUnknownValues: false }))),
  ];
  if (problems.length > 0) throw new InvalidConfigurationError(problems);
  const configuration = new Configuration();
  slices.forEach((slice, index) => configuration.set(slice.settings, slice.build(variables[index], configuration)));
  const conflicts = slices.flatMap((slice) => slice.conflicts?.(configuration.get(slice.settings), configuration) ?? []);
  if (conflicts.length > 0) throw new InvalidConfigurationError(conflicts);
  return configuration;
}

/** `.env.example`'s stand-ins for what only the operator knows: `your-app-id`, `123456:ABC-your-bot-token`. */
const PLACEHOLDER = /^(?:\d+:ABC-)?your-[a-z-]+$/i;

/**
 * A value copied from `.env.example` unchanged would start a vault that fails at its first login, or that sends its
 * alerts nowhere, with nothing said at start. Each is named; the value itself is not repeated.
 */
function placeholders(present: Record<string, string | undefined>, read: Set<string>): string[] {
  return Object.entries(present)
    .filter(([name, value]) => read.has(name) && PLACEHOLDER.test(value ?? ''))
    .map(([name]) => `${name} is still the placeholder from .env.example: set it to your own value, or remove it`);
}

function describe(errors: ValidationError[]): string[] {
  return errors.flatMap((error) => Object.values(error.constraints ?? {}).slice(0, 1).map(String));
}

/** Every variable name the slices read and check: what a deployment file may set. */
export function variableNames(slices: readonly ConfigSlice[]): Set<string> {
  const storage = getMetadataStorage();
  return new Set(slices.flatMap((slice) => storage.getTargetValidationMetadatas(slice.variables, '', true, false).map((entry) => entry.propertyName)));
}
