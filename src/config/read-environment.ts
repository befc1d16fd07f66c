import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

/**
 * The process environment over the variables of `.env`, as dotenv merges them: what is set in the environment wins.
 * Node's own parser reads OpenAlgo's `KEY = 'value'` lines as they are.
 */
export function readEnvironment(envFile = '.env'): Record<string, string | undefined> {
  const fromFile = existsSync(envFile) ? parseEnv(readFileSync(envFile, 'utf8')) : {};
  return { ...fromFile, ...process.env };
}
