import { parseArgs } from 'node:util';
import { readEnvironment } from '../config/read-environment';
import type { StatusJson } from '../status/status.views';
import { statusExitCode, statusLines } from './status-table';

const USAGE = `The accounts of a running token-vault, for a terminal or cron.

  npm run status [-- --url URL] [-- --key KEY]

Asks GET /v1/status at VAULT_URL (default http://127.0.0.1:$PORT, PORT from the environment or .env, else 5000)
with the admin service key in VAULT_KEY. --key works too, but other users of the machine can see it in ps.

Exit code: 0 when every expected account has a live token, 1 when one has none (missing or expired) or the vault
cannot read its store, 2 when the vault could not be asked (no answer, key refused, bad arguments).`;

/** A vault that does not answer within this is as good as down, for a cron job. */
const TIMEOUT_MS = 10_000;

export const STATUS_UNKNOWN = 2;

interface Output {
  out(line: string): void;
  err(line: string): void;
}

class UsageError extends Error {}

/** Runs the command; resolves to its exit code. Exported for tests that run it in-process. */
export async function runStatusCommand(argv: string[], env: Record<string, string | undefined>, output: Output): Promise<number> {
  let vault: URL;
  let key: string;
  try {
    const { values } = parseArgs({
      args: argv,
      options: { url: { type: 'string' }, key: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
    });
    if (values.help) {
      output.out(USAGE);
      return 0;
    }
    vault = vaultUrl(values.url ?? env.VAULT_URL ?? `http://127.0.0.1:${env.PORT ?? 5000}`);
    key = values.key ?? env.VAULT_KEY ?? '';
    if (key === '') throw new UsageError("say which key: set VAULT_KEY to an admin service key (npm run clients -- add NAME --accounts '*' --admin)");
  } catch (error) {
    const known = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    output.err(`status: ${known ? (error as Error).message : 'bad arguments'}; try --help`);
    return STATUS_UNKNOWN;
  }

  const origin = vault.origin;
  let response: Response;
  try {
    response = await fetch(new URL('v1/status', vault), {
      headers: { authorization: `Bearer ${key}`, accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    output.err(`status: the vault at ${origin} did not answer (${reasonOf(error)})`);
    return STATUS_UNKNOWN;
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const { error, message } = (body ?? {}) as { error?: unknown; message?: unknown };
    const said = typeof error === 'string' ? ` ${error}${typeof message === 'string' ? `: ${message}` : ''}` : '';
    output.err(`status: the vault at ${origin} answered ${response.status}${said}`);
    return STATUS_UNKNOWN;
  }
  if (!isStatusJson(body)) {
    output.err(`status: ${origin} answered something that is not a token-vault status`);
    return STATUS_UNKNOWN;
  }
  for (const line of statusLines(body, vault.href.replace(/\/$/, ''))) output.out(line);
  return statusExitCode(body);
}

/** The vault's URL, which may carry a path prefix behind a proxy, ending in `/`. Never with credentials in it. */
function vaultUrl(text: string): URL {
  let base: URL;
  try {
    base = new URL(text.endsWith('/') ? text : `${text}/`);
  } catch {
    throw new UsageError('VAULT_URL (or --url) must be a URL such as http://127.0.0.1:5000');
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new UsageError('VAULT_URL (or --url) must be an http(s) URL');
  if (base.username || base.password) throw new UsageError('VAULT_URL (or --url) must not hold credentials: the key goes in VAULT_KEY');
  base.search = '';
  base.hash = '';
  return base;
}

/** The network error's code only: nothing of the request, which holds the key, is printed. */
function reasonOf(error: unknown): string {
  const { name, cause } = error as { name?: string; cause?: { code?: string } };
  if (name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000} s`;
  return cause?.code ?? name ?? 'error';
}

function isStatusJson(body: unknown): body is StatusJson {
  const value = body as Partial<StatusJson> | null;
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof value.version === 'string' &&
    (value.accounts === null || Array.isArray(value.accounts)) &&
    typeof value.alerts === 'object' &&
    typeof value.health === 'object'
  );
}

if (require.main === module) {
  void runStatusCommand(process.argv.slice(2), readEnvironment(), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  }).then(
    (code) => (process.exitCode = code),
    () => {
      process.stderr.write('status: failed\n');
      process.exitCode = STATUS_UNKNOWN;
    },
  );
}
