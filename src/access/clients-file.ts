import { Type, plainToInstance } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsOptional,
  IsString,
  Matches,
  ValidateNested,
  validateSync,
  ValidationError,
} from 'class-validator';
import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fchownSync, fsyncSync, openSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { sha256Hex } from '../crypto/digest';
import { Accounts, BROKER_IDS } from '../brokers/accounts';
import { ServiceClient } from './service-client';

class ClientEntry {
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: 'name must be 1 to 64 letters, digits, ".", "-" or "_"' })
  name: string;

  @Matches(/^[0-9a-f]{64}$/, { message: 'keySha256 must be 64 lower-case hex digits (the SHA-256 of the key)' })
  keySha256: string;

  @IsArray()
  @ArrayMinSize(1, { message: 'accounts must list at least one account id, or "*"' })
  @Matches(new RegExp(`^(\\*|((${BROKER_IDS.join('|')}):)?[A-Z0-9][A-Z0-9_-]{0,31})$`), {
    each: true,
    message: 'accounts must hold upper-case account ids (bare for the default broker, or as zerodha:AB1234) or "*"',
  })
  accounts: string[];

  @IsOptional()
  @IsBoolean()
  admin?: boolean;
}

class ClientsFile {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ClientEntry)
  clients: ClientEntry[];
}

export class ClientsFileError extends Error {
  /** What is wrong, one line each; never a key or a hash (the watcher logs them). */
  constructor(path: string, readonly problems: string[]) {
    super(`the clients file ${path} is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ClientsFileError';
  }
}

/** Service keys are random, prefixed so that a leaked one is recognisable in a scan. */
export function newServiceKey(): string {
  return `tvk_${randomBytes(32).toString('base64url')}`;
}

/**
 * `accounts` writes each scope canonically (brokers/accounts.ts), so `pocketful:YA0002` and `YA0002` are one scope
 * when Pocketful is the default broker, and mayRead compares canonical accounts only.
 */
export function parseClients(json: string, path: string, accounts: Accounts = new Accounts('pocketful')): ServiceClient[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new ClientsFileError(path, ['it is not valid JSON']);
  }
  // null crashed plainToInstance with a TypeError; arrays and scalars were reported as "undefined: an unknown value".
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ClientsFileError(path, ['it must be a JSON object: {"clients": [...]}']);
  }
  const file = plainToInstance(ClientsFile, raw);
  const errors = validateSync(file as object, { forbidUnknownValues: true });
  const problems = flatten(errors);
  // clients may be any JSON here (validation already reported it): only look at names that are strings.
  const entries: unknown[] = Array.isArray(file.clients) ? file.clients : [];
  const names = entries.flatMap((client) => {
    const name = (client as { name?: unknown } | null)?.name;
    return typeof name === 'string' ? [name] : [];
  });
  for (const name of new Set(names.filter((name, index) => names.indexOf(name) !== index))) {
    problems.push(`the name ${name} is used more than once`);
  }
  if (problems.length > 0) throw new ClientsFileError(path, problems);
  return file.clients.map((entry) => ({
    name: entry.name,
    keySha256: entry.keySha256,
    accounts: entry.accounts.map((account) => (account === '*' ? account : (accounts.parse(account) as string))),
    admin: entry.admin === true,
  }));
}

function flatten(errors: ValidationError[], path = ''): string[] {
  return errors.flatMap((error) => {
    const at = path ? `${path}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => `${at}: ${message}`);
    return [...own, ...flatten(error.children ?? [], at)];
  });
}

export function readClientsFile(path: string): ServiceClient[] {
  let json: string;
  try {
    json = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ClientsFileError(path, [`it cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  return parseClients(json, path);
}

/** The clients file could not be written; nothing was changed. The message says why, never a key or a hash. */
export class ClientsFileWriteError extends Error {
  constructor(path: string, reason: string) {
    super(`the clients file ${path} was not written: ${reason}; nothing was changed`);
    this.name = 'ClientsFileWriteError';
  }
}

/**
 * Written whole to a temporary file beside the old one and renamed over it: a reader never sees half a file. The
 * new file keeps the old one's owner and mode, so that a vault which could read the file (another user, a group,
 * a container's uid) still can; one that did not exist is made 0600, readable by whoever runs the command only.
 * When the owner cannot be kept (it is another user, and this is not root), nothing is written: the vaults might
 * no longer read the file, and would refuse every key. A symbolic link stays, and the file it names is replaced.
 */
export function writeClientsFile(path: string, clients: ServiceClient[]): void {
  const target = followed(path);
  const old = statSync(target, { throwIfNoEntry: false });
  const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  let fd: number;
  try {
    fd = openSync(temporary, 'wx', 0o600);
  } catch (error) {
    throw new ClientsFileWriteError(path, `no file can be made beside it (${codeOf(error)})`);
  }
  try {
    try {
      writeFileSync(fd, `${JSON.stringify({ clients }, null, 2)}\n`);
      fsyncSync(fd);
    } catch (error) {
      throw new ClientsFileWriteError(path, `writing failed (${codeOf(error)})`);
    }
    if (old) {
      try {
        // Before the mode: a change of owner may clear set-id bits.
        fchownSync(fd, old.uid, old.gid);
      } catch (error) {
        throw new ClientsFileWriteError(
          path,
          `its owner (uid ${old.uid}, gid ${old.gid}) cannot be kept (${codeOf(error)}): run the command as that user or as root`,
        );
      }
    }
    try {
      fchmodSync(fd, old ? old.mode & 0o7777 : 0o600);
    } catch (error) {
      throw new ClientsFileWriteError(path, `its mode cannot be kept (${codeOf(error)})`);
    }
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new ClientsFileWriteError(path, `it could not be replaced (${codeOf(error)})`);
  }
}

/** The file a path names, through any symbolic links; the path itself when there is no file yet. */
function followed(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException)?.code ?? 'error';
}

export function clientFor(name: string, key: string, accounts: string[], admin: boolean): ServiceClient {
  return { name, keySha256: sha256Hex(key), accounts, admin };
}
