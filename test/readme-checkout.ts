import { ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from './support/until';

const ROOT = join(__dirname, '..');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * This repository in a temporary directory, where the README's commands run as a person types them: through `sh` and
 * npm, with only the variables given. npm runs a package's scripts in its root, where they read `.env` and write
 * `clients.json`: a developer's own files there must not reach a test, nor a test's reach them. The dependencies and
 * the sources are the repository's own, linked; the files the build is checked against are copied with their times,
 * so that the bundles are as current here as there. `built` links the repository's bundles too; without it, the
 * checkout is a fresh clone, with nothing built.
 */
export class ReadmeCheckout {
  private readonly started: Started[] = [];

  private constructor(readonly dir: string) {}

  static create({ built }: { built: boolean }): ReadmeCheckout {
    const dir = mkdtempSync(join(tmpdir(), 'token-vault-readme-'));
    const copied = readdirSync(ROOT).filter((name) => /^(package(-lock)?|tsconfig.*)\.json$/.test(name));
    mkdirSync(join(dir, 'scripts'));
    for (const name of [...copied, 'scripts/run.mjs', 'scripts/bundle.mjs']) cpSync(join(ROOT, name), join(dir, name), { preserveTimestamps: true });
    for (const name of ['src', 'node_modules', ...(built ? ['dist'] : [])]) symlinkSync(join(ROOT, name), join(dir, name));
    return new ReadmeCheckout(dir);
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  write(name: string, text: string): void {
    writeFileSync(this.path(name), text);
  }

  /** One command line, as `sh -c` runs it in the checkout's root, to its end. */
  run(command: string, env: Record<string, string> = {}): Promise<Run> {
    const child = this.spawn(command, env, false);
    return new Promise((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  /** A command that keeps running (`npm start`, `npm run demo`), in a process group of its own so it can be stopped whole. */
  start(command: string, env: Record<string, string> = {}): Started {
    const started = new Started(this.spawn(command, env, true));
    this.started.push(started);
    return started;
  }

  /** Stops whatever is still running and removes the directory; the repository's own files, linked, are left alone. */
  async remove(): Promise<void> {
    try {
      for (const started of this.started) await started.stop();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private spawn(command: string, env: Record<string, string>, detached: boolean): ChildProcess {
    return spawn('sh', ['-c', command], {
      cwd: this.dir,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached,
    });
  }
}

/** A long-running command: what it printed so far, and a way to stop it and everything it started. */
export class Started {
  stdout = '';
  stderr = '';
  private readonly closed: Promise<number | null>;

  constructor(private readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.closed = new Promise((resolve) => child.once('close', (code) => resolve(code)));
  }

  /** Resolves with the first match of `pattern` on stdout, or fails saying what the command printed. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
    await until(() => pattern.test(this.stdout) || this.child.exitCode !== null, timeoutMs, `the command to print ${pattern}`).catch(() => undefined);
    const match = this.stdout.match(pattern);
    if (!match) throw new Error(`the command did not print ${pattern} (exit ${this.child.exitCode}):\n${this.stderr.slice(-2000)}`);
    return match;
  }

  /**
   * SIGINT to the whole group (the shell, npm and the program), as Ctrl-C in a terminal sends it; what is still there
   * after `graceMs` is killed. Resolves once no process of the group is left.
   */
  async stop(graceMs = 10_000): Promise<void> {
    const group = -this.child.pid!;
    if (!signal(group, 'SIGINT')) return;
    const gone = () => !signal(group, 0);
    await until(gone, graceMs, 'the command to stop').catch(() => signal(group, 'SIGKILL'));
    await until(gone, 5_000, 'the command to be killed');
    await this.closed;
  }
}

/** Sends a signal to a process group; false when none of its processes is left. */
function signal(group: number, name: NodeJS.Signals | 0): boolean {
  try {
    process.kill(group, name);
    return true;
  } catch {
    return false;
  }
}
