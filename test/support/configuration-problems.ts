import { InvalidConfigurationError } from '../../src/config/load-configuration';

/** The problems a configuration is refused for, in order; none when `load` accepts it. */
export function configurationProblems(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof InvalidConfigurationError) return error.problems;
    throw error;
  }
  return [];
}
