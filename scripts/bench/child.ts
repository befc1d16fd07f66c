import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const running = new Set<ChildProcess>();

// The last resort when the bench dies without its cleanup (an uncaught error, a second Ctrl-C): nothing it
// started may outlive it.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface ChildOptions {
  cwd: string;
  env: Record<string, string>;
  /** Its stdout and stderr go to files here, read back only to explain a failure. */
  logDir: string;
}

/**
 * A process the bench started. Output goes to files rather than pipes: a pipe would have to be read by the
 * bench, on the same cores as the load generator, and a vault logging every request at info would cost the
 * bench CPU it needs to drive the load.
 */
export class Child {
  private readonly exited: Promise<void>;
  private spawnError: string | null = null;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    /** performance.now() just before the spawn: where a time-to-ready is counted from. */
    readonly startedAt: number,
    private readonly logs: { out: string; err: string },
  ) {
    running.add(child);
    this.exited = new Promise((resolve) => {
      const gone = () => {
        running.delete(child);
        resolve();
      };
      child.once('exit', gone);
      // A program that cannot be found never exits; it only fails to spawn.
      child.once('error', (error: NodeJS.ErrnoException) => {
        this.spawnError = error.code ?? error.message;
        gone();
      });
    });
  }

  static start(name: string, command: string, args: string[], options: ChildOptions): Child {
    const logs = { out: join(options.logDir, `${name}.out.log`), err: join(options.logDir, `${name}.err.log`) };
    const out = openSync(logs.out, 'w');
    const err = openSync(logs.err, 'w');
    try {
      const startedAt = performance.now();
      const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', out, err] });
      return new Child(name, child, startedAt, logs);
    } finally {
      closeSync(out);
      closeSync(err);
    }
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.name} did not start`);
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null || !running.has(this.child);
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.hasExited) return;
    this.child.kill('SIGTERM');
    const stuck = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(stuck);
  }

  /** The end of what it wrote, to explain why it failed. */
  lastOutput(chars = 2000): string {
    if (this.spawnError) return `it could not be run (${this.spawnError})`;
    const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');
    const text = read(this.logs.err).trim() || read(this.logs.out).trim();
    return text.slice(-chars);
  }
}
