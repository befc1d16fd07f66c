import { Logger, OnApplicationShutdown, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { Accounts } from '../brokers/accounts';
import { ClientsFileError, parseClients } from './clients-file';
import { ServiceClient } from './service-client';
import { ServiceClientRegistry } from './service-client.registry';

/**
 * How often each replica re-reads its clients file: a removed or rotated key is refused about a second later, well
 * inside the five seconds promised, for the price of reading a file of a few kilobytes once a second.
 */
export const CLIENTS_FILE_POLL_MS = 1000;

type Trigger = 'poll' | 'SIGHUP';

/** What the watcher says; Nest's `Logger` by default. Names are said, keys and their hashes never. */
export interface ClientsFileLog {
  log(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

export interface ClientsFileWatcherOptions {
  pollMs?: number;
  log?: ClientsFileLog;
  /** How accounts are written (the default broker's bare); Pocketful's bare when not given. */
  accounts?: Accounts;
}

/**
 * The service clients of VAULT_CLIENTS_FILE, kept current while the vault runs, plus the clients made in code
 * (`extra`, the demo's key), which every reload keeps.
 *
 * The file is read whole at start-up (a bad file stops the start, as before), then again every `pollMs` and at once
 * on SIGHUP. A re-read compares the SHA-256 of the bytes with the last bytes examined: anything else changed means
 * nothing. Polling the content rather than `fs.watch` (inotify) or `fs.watchFile` (stat times), because each of those
 * misses a change somewhere a clients file lives: a watch follows the inode, so it goes deaf when an editor or
 * `npm run clients` renames a new file over the old one, or Kubernetes swaps a ConfigMap's `..data` symlink; it
 * hears nothing on NFS and many bind mounts; and a stat comparison misses a same-size rewrite within the
 * timestamp's granularity (a rotated key is the same size as the old one). One small read a second is cheap, works
 * alike on every mount, and needs no second path (watch plus fallback) to test. The read is asynchronous, so a
 * slow mount never stalls the requests being served.
 *
 * A file that cannot be read or parsed (missing for a moment, half-written by a hand edit, not JSON, invalid)
 * changes nothing: the last good set stays, and the problem is logged once (again only if it changes, or when
 * SIGHUP asks). The next good file is taken, and said so. Each replica watches its own copy: no Redis involved.
 * A copy that can never change (a single-file bind mount left on the replaced file) is said too: see noticeOrphan.
 */
export class ClientsFileWatcher implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  readonly registry: ServiceClientRegistry;
  private fileClients: readonly ServiceClient[];
  /** The digest of the bytes last examined, good or bad; null when the last read failed. */
  private seenDigest: string | null = null;
  /** The problem last logged while the file is unusable; null while it is good. */
  private problem: string | null = null;
  /** Whether the file seen is one deleted at its source (said once, see noticeOrphan). */
  private orphaned = false;
  private timer: NodeJS.Timeout | null = null;
  /** Re-reads one after another: a SIGHUP during a poll waits for it rather than racing it. */
  private queue: Promise<void> = Promise.resolve();
  private running = false;
  private stopped = false;
  private readonly pollMs: number;
  private readonly log: ClientsFileLog;
  private readonly accounts: Accounts;
  private readonly extra: readonly ServiceClient[];
  private readonly onSighup = () => void this.reread('SIGHUP');

  /** Reads the file now: throws ClientsFileError, so that a vault never starts on a bad file. */
  constructor(
    private readonly path: string | null,
    extra: readonly ServiceClient[] = [],
    options: ClientsFileWatcherOptions = {},
  ) {
    this.pollMs = options.pollMs ?? CLIENTS_FILE_POLL_MS;
    this.log = options.log ?? new Logger('ClientsFile');
    this.accounts = options.accounts ?? new Accounts('pocketful');
    this.fileClients = [];
    if (path !== null) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(path);
      } catch (error) {
        throw unreadable(path, error);
      }
      this.fileClients = parseClients(bytes.toString('utf8'), path, this.accounts);
      this.seenDigest = digestOf(bytes);
    }
    // Clients made in code name accounts as the file does: written canonically here too.
    this.extra = extra.map((client) => ({ ...client, accounts: client.accounts.map((account) => (account === '*' ? account : (this.accounts.parse(account) ?? account))) }));
    this.registry = new ServiceClientRegistry([...this.fileClients, ...this.extra]);
  }

  /** Starts polling and listening for SIGHUP (nothing to do without a file: SIGHUP then keeps its default). */
  start(): void {
    if (this.path === null || this.running || this.stopped) return;
    this.running = true;
    process.on('SIGHUP', this.onSighup);
    this.schedule();
    this.log.log(`watching ${this.path}: ${count(this.fileClients)}; re-read every ${this.pollMs} ms and on SIGHUP`);
  }

  /** Stops for good; resolves once a re-read in progress has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running) process.off('SIGHUP', this.onSighup);
    this.running = false;
    await this.queue;
  }

  onModuleInit(): void {
    this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Re-reads the file now, after any re-read in progress. A poll is silent when nothing changed; SIGHUP never is. */
  reread(trigger: Trigger = 'SIGHUP'): Promise<void> {
    const next = this.queue.then(() => this.check(trigger));
    this.queue = next;
    return next;
  }

  /** The next poll, once the last is done: polls never pile up behind a slow mount. Unreferenced: it holds no exit. */
  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.reread('poll').then(() => this.schedule());
    }, this.pollMs);
    this.timer.unref();
  }

  /** Never throws: whatever happens, the last good set stays and polling goes on. */
  private async check(trigger: Trigger): Promise<void> {
    const path = this.path;
    if (path === null || this.stopped) return;
    try {
      let bytes: Buffer;
      let links: number;
      try {
        ({ bytes, links } = await readWithLinks(path));
      } catch (error) {
        this.seenDigest = null;
        this.unusable(unreadable(path, error).problems, trigger);
        return;
      }
      if (this.stopped) return;
      this.noticeOrphan(links === 0);
      const digest = digestOf(bytes);
      if (trigger === 'poll' && digest === this.seenDigest) return;
      this.seenDigest = digest;
      let clients: ServiceClient[];
      try {
        clients = parseClients(bytes.toString('utf8'), path, this.accounts);
      } catch (error) {
        this.unusable(error instanceof ClientsFileError ? error.problems : ['it could not be parsed'], trigger);
        return;
      }
      this.take(clients, trigger);
    } catch (error) {
      this.unusable([`it could not be re-read (${(error as Error)?.name ?? 'error'})`], trigger);
    }
  }

  /**
   * A file with no links left was deleted or renamed over at its source, yet this process still reads it: a bind
   * mount of the file itself (`docker -v ./clients.json:/…`, a Kubernetes subPath) stays on the inode it was made
   * with, and never shows the file `npm run clients` (or an editor) renames over it. Nothing here can fix that, so
   * it is said loudly, once: from then on, no change to the file reaches this replica.
   */
  private noticeOrphan(orphaned: boolean): void {
    if (orphaned && !this.orphaned) {
      this.log.warn(
        `clients file ${this.path} was replaced or deleted at its source, but this process still sees the old copy, ` +
          `so changes to it (removed or rotated keys) are not seen here: mount the file's directory rather than the file`,
      );
    }
    this.orphaned = orphaned;
  }

  private unusable(problems: readonly string[], trigger: Trigger): void {
    const problem = problems.join('; ');
    if (trigger === 'poll' && problem === this.problem) return;
    this.problem = problem;
    const on = trigger === 'SIGHUP' ? ' (re-read on SIGHUP)' : '';
    this.log.warn(`clients file ${this.path} cannot be used${on}, keeping the ${count(this.fileClients)} last read: ${problem}`);
  }

  private take(clients: ServiceClient[], trigger: Trigger): void {
    const recovered = this.problem !== null;
    this.problem = null;
    const why = trigger === 'SIGHUP' ? 're-read on SIGHUP' : recovered ? 'is valid again' : 'changed';
    const changes = differences(this.fileClients, clients);
    if (changes === null) {
      const message = `clients file ${this.path} ${why}: ${count(clients)}, unchanged`;
      if (trigger === 'SIGHUP' || recovered) this.log.log(message);
      else this.log.debug(message);
      return;
    }
    this.fileClients = clients;
    // One assignment: the keys remembered under the old set go with it, so a revoked key is refused from now on.
    this.registry.replace([...clients, ...this.extra]);
    this.log.log(`clients file ${this.path} ${why}: ${count(clients)}; ${changes}`);
  }
}

/** The bytes and the link count of one and the same file, even if it is replaced meanwhile. */
async function readWithLinks(path: string): Promise<{ bytes: Buffer; links: number }> {
  const handle = await open(path, 'r');
  try {
    const { nlink } = await handle.stat();
    return { bytes: await handle.readFile(), links: nlink };
  } finally {
    await handle.close();
  }
}

function digestOf(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function unreadable(path: string, error: unknown): ClientsFileError {
  return new ClientsFileError(path, [`it cannot be read (${(error as NodeJS.ErrnoException)?.code ?? 'error'})`]);
}

function count(clients: readonly ServiceClient[]): string {
  return `${clients.length} client${clients.length === 1 ? '' : 's'}`;
}

/** What changed, by name only (names are not secrets; hashes are); null when the sets are the same. */
function differences(before: readonly ServiceClient[], after: readonly ServiceClient[]): string | null {
  const old = new Map(before.map((client) => [client.name, client]));
  const now = new Map(after.map((client) => [client.name, client]));
  const added = after.filter((client) => !old.has(client.name)).map((client) => client.name);
  const removed = before.filter((client) => !now.has(client.name)).map((client) => client.name);
  const rotated: string[] = [];
  const rescoped: string[] = [];
  for (const client of after) {
    const was = old.get(client.name);
    if (!was) continue;
    if (was.keySha256 !== client.keySha256) rotated.push(client.name);
    else if (was.admin !== client.admin || was.accounts.join(',') !== client.accounts.join(',')) rescoped.push(client.name);
  }
  const parts = [
    added.length > 0 ? `added ${added.join(', ')}` : '',
    removed.length > 0 ? `removed ${removed.join(', ')}` : '',
    rotated.length > 0 ? `new key for ${rotated.join(', ')}` : '',
    rescoped.length > 0 ? `new accounts or role for ${rescoped.join(', ')}` : '',
  ].filter((part) => part.length > 0);
  if (parts.length > 0) return parts.join('; ');
  // The same clients in another order: taken (with two entries on one key, the first wins), nothing to name.
  const sameOrder = before.length === after.length && before.every((client, index) => client.name === after[index].name);
  return sameOrder ? null : 'the same clients, reordered';
}
