import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ClientsFileError, ClientsFileWriteError, clientFor, newServiceKey, readClientsFile, writeClientsFile } from '../access/clients-file';
import { ServiceClient } from '../access/service-client';
import { Accounts, isBrokerId } from '../brokers/accounts';
import { normalizeClientId } from '../brokers/client-id';
import { readEnvironment } from '../config/read-environment';

const USAGE = `Service clients of token-vault, in the file named by VAULT_CLIENTS_FILE (or --file PATH).

  npm run clients -- add NAME --accounts YA0002[,YA0003|*] [--admin]   make a key; it is printed once
  npm run clients -- rotate NAME                                      give NAME a new key, same accounts
  npm run clients -- remove NAME
  npm run clients -- list
  npm run clients -- help

Only the SHA-256 of each key is written. Each vault re-reads the file within a second or two (at once on SIGHUP).
A rewritten file keeps its owner and mode; a new one is made 0600 (chown it to the user the vaults run as).
Only the key, and list's lines, go to stdout: KEY=$(npm run -s clients -- add …) keeps the key alone.`;

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

class UsageError extends Error {}

/** stdout takes what a script keeps (a key, the list); stderr everything said to the person running it. */
interface Output {
  out(line: string): void;
  err(line: string): void;
}

/** Runs one command; returns the exit code. Exported for tests that run it in-process. */
export function runClientsCommand(argv: string[], env: Record<string, string | undefined>, output: Output): number {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        accounts: { type: 'string' },
        admin: { type: 'boolean', default: false },
        file: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    const [command, name, ...extra] = positionals;
    if (values.help || command === 'help') {
      output.out(USAGE);
      return 0;
    }
    if (command === undefined) {
      output.err(USAGE);
      return 1;
    }
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    const file = values.file ?? env.VAULT_CLIENTS_FILE;
    if (!file) throw new UsageError('say which file: set VAULT_CLIENTS_FILE or pass --file PATH');
    const clients = existsSync(file) ? readClientsFile(file) : [];

    switch (command) {
      case 'list':
        if (clients.length === 0) output.err(`no clients in ${file}`);
        for (const client of clients) output.out(`${client.name}\t${client.accounts.join(',')}${client.admin ? '\tadmin' : ''}`);
        return 0;
      case 'add': {
        const clientName = requireName(name);
        if (clients.some((client) => client.name === clientName)) throw new UsageError(`a client named ${clientName} exists; use rotate for a new key`);
        const accounts = parseAccounts(values.accounts);
        return issue(file, [...clients], clientName, accounts, values.admin ?? false, output);
      }
      case 'rotate': {
        const clientName = requireName(name);
        const existing = clients.find((client) => client.name === clientName);
        if (!existing) throw new UsageError(`no client named ${clientName}`);
        const others = clients.filter((client) => client !== existing);
        return issue(file, others, clientName, existing.accounts, existing.admin, output);
      }
      case 'remove': {
        const clientName = requireName(name);
        if (!clients.some((client) => client.name === clientName)) throw new UsageError(`no client named ${clientName}`);
        writeClientsFile(file, clients.filter((client) => client.name !== clientName));
        output.err(`removed ${clientName}; each vault refuses its key within a few seconds (one that cannot read the file says so: see its log and /health/ready)`);
        return 0;
      }
      default:
        throw new UsageError(`unknown command ${command}; try help`);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof ClientsFileError || error instanceof ClientsFileWriteError) {
      output.err(error.message);
      return 1;
    }
    const code = (error as { code?: string }).code;
    output.err(`clients: ${code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || code?.startsWith('ERR_PARSE_ARGS') ? (error as Error).message : `failed (${code ?? 'error'})`}`);
    return 1;
  }
}

function requireName(name: string | undefined): string {
  if (!name || !NAME.test(name)) throw new UsageError('give a client name: letters, digits, ".", "_" or "-", up to 64');
  return name;
}

/**
 * An account as the file keeps it: `broker:ID` kept named (the file does not know the default broker; the vault
 * writes each canonically when it reads the file), a bare id upper-cased.
 */
function normalizeAccount(account: string): string | null {
  const colon = account.indexOf(':');
  if (colon === -1) return ANY_DEFAULT.parse(account);
  const broker = account.slice(0, colon).toLowerCase();
  return isBrokerId(broker) && ANY_DEFAULT.of(broker, account.slice(colon + 1)) !== null ? `${broker}:${normalizeClientId(account.slice(colon + 1))}` : null;
}

const ANY_DEFAULT = new Accounts('pocketful');

function parseAccounts(text: string | undefined): string[] {
  if (!text) throw new UsageError('say which accounts the client may read: --accounts YA0002,YA0003 (or "*" for all)');
  const accounts = text.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
  if (accounts.includes('*')) return ['*'];
  const normalized = accounts.map(normalizeAccount);
  const bad = normalized.filter((id) => id === null);
  if (normalized.length === 0 || bad.length > 0) {
    throw new UsageError('accounts must be account ids such as YA0002 (the default broker\'s) or zerodha:AB1234, comma-separated, or "*"');
  }
  return [...new Set(normalized as string[])];
}

function issue(file: string, others: ServiceClient[], name: string, accounts: string[], admin: boolean, output: Output): number {
  const key = newServiceKey();
  writeClientsFile(file, [...others, clientFor(name, key, accounts, admin)]);
  output.out(key);
  output.err(`(the key for ${name}: give it to the service now; only its hash was written to ${file}, it cannot be shown again)`);
  return 0;
}

if (require.main === module) {
  const env = readEnvironment();
  process.exitCode = runClientsCommand(process.argv.slice(2), env, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
}
