import { Logger, OnApplicationShutdown, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { Accounts } from '../brokers/accounts';
import { Clock, SystemClock } from '../clock/clock';
import { ClientsFileError, parseClients } from './clients-file';
import { ServiceClient } from './service-client';
import { ServiceClientRegistry } from './service-client.registry';

/**
 * How often each replica re-reads its clients file: a removed or rotated key is refused about a second later, well
 * inside the five seconds promised, for the price of reading a file of a few kilobytes once a second.
 */
export const CLIENTS_FILE_POLL_MS = 1000;

type Trigger = 'poll' | 'SIGHUP';

/** How long a file that cannot be used is borne with, unless CLIENTS_FILE_GRACE_SECONDS says otherwise. */
export const CLIENTS_FILE_GRACE_MS = 60_000;

/** What a caller refused past the grace is told: no path, no reason (those are for the operator, in the log). */
const WITHHELD =
  'this replica cannot use its clients file, so it cannot tell which keys are valid: no service key is accepted until it can (its log says why)';

/** What the watcher says; Nest's `Logger` by default. Names are said, keys and their hashes never. */
export interface ClientsFileLog {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

export interface ClientsFileWatcherOptions {
  pollMs?: number;
  log?: ClientsFileLog;
  /** How accounts are written (the default broker's bare); Pocketful's bare when not given. */
  accounts?: Accounts;
  /** The vault's clock: when the file was last read, and how long it has been unusable. */
  clock?: Clock;
  graceMs?: number;
}

/** The clients file as this replica last found it: for the readiness probe, the metrics and the status. */
export interface ClientsFileHealth {
  path: string;
  /** The clients of the last file read that could be used: whose keys are served, unless `refusing`. */
  clients: number;
  /** The last check that found the file usable (every poll while it is). */
  lastReadAt: Date;
  /** Why the last check could not use it (never a key or a hash); null while it can. */
  problem: string | null;
  /** The first check of this spell that could not use it; null while it can. */
  failingSince: Date | null;
  graceMs: number;
  /** Unusable for the grace or longer: the file's keys are refused, and the replica is not ready. */
  refusing: boolean;
}

/**
 * The service clients of VAULT_CLIENTS_FILE, kept current while the vault runs, plus the clients made in code
 * (`extra`, the demo's key), which every reload keeps.
 *
 * The file is read whole at start-up (a bad file stops the start, as before), then again every `pollMs` and at once
 * on SIGHUP. A re-read compares the SHA-256 of the bytes with the last bytes examined: anything else changed means
 * nothing, and bytes already examined are not parsed again. Polling the content rather than `fs.watch` (inotify) or
 * `fs.watchFile` (stat times), because each of those misses a change somewhere a clients file lives: a watch follows
 * the inode, so it goes deaf when an editor or `npm run clients` renames a new file over the old one, or Kubernetes
 * swaps a ConfigMap's `..data` symlink; it hears nothing on NFS and many bind mounts; and a stat comparison misses a
 * same-size rewrite within the timestamp's granularity (a rotated key is the same size as the old one). One small
 * read a second is cheap, works alike on every mount, and needs no second path (watch plus fallback) to test. The
 * read is asynchronous, so a slow mount never stalls the requests being served.
 *
 * A file that cannot be read or parsed (missing, unreadable by this user, half-written by a hand edit, not JSON,
 * invalid) may hold a revocation this replica cannot see, so it is never borne quietly: each check that cannot use it
 * logs an error with the path and the reason (one line per `pollMs`, however many requests come), and `health()`
 * says so (to the metrics, the status and the readiness probe). For `graceMs` the clients last read are kept, so
 * that a moment's gap (a hand edit saved in two steps) refuses no one; from then on every key of the file is refused
 * (`ServiceClientRegistry.withhold`: 503 clients_file_unusable; the clients made in code are still let in) and the
 * replica is not ready, until a check finds the file usable again, which is taken and said so. Each replica watches
 * its own copy: no Redis involved. A copy that can never change (a single-file bind mount left on the replaced file)
 * is said too: see noticeOrphan.
 */
export class ClientsFileWatcher implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  readonly registry: ServiceClientRegistry;
  private fileClients: readonly ServiceClient[];
  /** The digest of the bytes last examined, good or bad; null when the last read failed. */
  private seenDigest: string | null = null;
  /** Why the file cannot be used, as the last check found; null while it can. */
  private problem: string | null = null;
  private failingSince: Date | null = null;
  private lastReadAt: Date;
  /** Whether the file's keys are refused (the registry withholds them): past the grace. */
  private refusing = false;
  /** Whether the file seen is one deleted at its source (said once, see noticeOrphan). */
  private orphaned = false;
  private timer: NodeJS.Timeout | null = null;
  /** Re-reads one after another: a SIGHUP during a poll waits for it rather than racing it. */
  private queue: Promise<void> = Promise.resolve();
  private running = false;
  private stopped = false;
  private readonly pollMs: number;
  private readonly graceMs: number;
  private readonly clock: Clock;
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
    this.graceMs = options.graceMs ?? CLIENTS_FILE_GRACE_MS;
    this.clock = options.clock ?? new SystemClock();
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
    this.lastReadAt = this.clock.now();
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
    this.log.log(
      `watching ${this.path}: ${count(this.fileClients)}; re-read every ${this.pollMs} ms and on SIGHUP; ` +
        `should it become unusable, its keys are refused after ${seconds(this.graceMs)}`,
    );
  }

  /** The file as the last check found it; null when there is no file. */
  health(): ClientsFileHealth | null {
    if (this.path === null) return null;
    return {
      path: this.path,
      clients: this.fileClients.length,
      lastReadAt: this.lastReadAt,
      problem: this.problem,
      failingSince: this.failingSince,
      graceMs: this.graceMs,
      refusing: this.refusing,
    };
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

  /**
   * Re-reads the file now, after any re-read in progress. A poll is silent when a usable file did not change; SIGHUP
   * never is, nor is any check of a file that cannot be used.
   */
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

  /** Never throws: whatever happens, polling goes on. */
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
      if (trigger === 'poll' && digest === this.seenDigest) {
        // The same bytes as the last check: the same verdict, without parsing them again.
        if (this.problem === null) this.lastReadAt = this.clock.now();
        else this.unusable([this.problem], trigger);
        return;
      }
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

  /**
   * Said at every check, as an error: the file may hold a revocation this replica cannot see. Within the grace the
   * clients last read are kept; from its end their keys are refused until the file can be used.
   */
  private unusable(problems: readonly string[], trigger: Trigger): void {
    const now = this.clock.now();
    const problem = problems.join('; ');
    this.problem = problem;
    this.failingSince ??= now;
    const failingMs = Math.max(0, now.getTime() - this.failingSince.getTime());
    const on = trigger === 'SIGHUP' ? ' (re-read on SIGHUP)' : '';
    const said = `clients file ${this.path} cannot be used${on}: ${problem}`;
    if (failingMs < this.graceMs) {
      const left = seconds(this.graceMs - failingMs);
      this.log.error(`${said}; keeping the ${count(this.fileClients)} last read for ${left} more (CLIENTS_FILE_GRACE_SECONDS), then refusing their keys`);
      return;
    }
    if (!this.refusing) {
      this.refusing = true;
      // Whoever holds a request open on a key of the file is told at once, and ends it.
      this.registry.withhold(this.extra, WITHHELD);
    }
    this.log.error(
      `${said}; unusable for ${seconds(failingMs)}, past CLIENTS_FILE_GRACE_SECONDS (${seconds(this.graceMs)}): ` +
        `the keys of the ${count(this.fileClients)} last read are refused and this replica is not ready, until it can be used`,
    );
  }

  private take(clients: ServiceClient[], trigger: Trigger): void {
    const recovered = this.problem !== null;
    const wasRefusing = this.refusing;
    this.problem = null;
    this.failingSince = null;
    this.refusing = false;
    this.lastReadAt = this.clock.now();
    const why = trigger === 'SIGHUP' ? 're-read on SIGHUP' : recovered ? 'is valid again' : 'changed';
    const again = wasRefusing ? '; its keys are accepted again' : '';
    const changes = differences(this.fileClients, clients);
    if (changes === null) {
      if (wasRefusing) this.registry.replace([...this.fileClients, ...this.extra]);
      const message = `clients file ${this.path} ${why}: ${count(clients)}, unchanged${again}`;
      if (trigger === 'SIGHUP' || recovered) this.log.log(message);
      else this.log.debug(message);
      return;
    }
    this.fileClients = clients;
    // One assignment: the keys remembered under the old set go with it, so a revoked key is refused from now on.
    this.registry.replace([...clients, ...this.extra]);
    this.log.log(`clients file ${this.path} ${why}: ${count(clients)}; ${changes}${again}`);
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

function seconds(ms: number): string {
  return `${Math.ceil(ms / 1000)} s`;
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
