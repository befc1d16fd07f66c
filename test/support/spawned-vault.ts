import { ChildProcess, spawn } from 'node:child_process';
import { chownSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * What a vault process runs: `vault`, the bundle that `npm start` and the image run; `demo`, what `npm run demo`
 * runs (both today's, from dist/); or another bundle, by its path (an earlier release's, test/support/previous-release.ts).
 */
export type VaultProgram = 'vault' | 'demo' | { bundle: string };

/**
 * A vault as an operator runs it: `node dist/<entry>.js` in its own process (npm test builds dist first). Its
 * output is kept so a test can read what it printed.
 */
export class SpawnedVault {
  stdout = '';
  stderr = '';
  private readonly exited: Promise<number | null>;

  private constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /**
   * With `uid` (the test running as root), the process runs as that user and group, as the image runs as `node`
   * (uid 1000).
   */
  static start(program: VaultProgram, env: Record<string, string>, options: { uid?: number } = {}): SpawnedVault {
    const script = typeof program === 'string' ? join(ROOT, 'dist', `${program}.js`) : program.bundle;
    // An empty working directory and only the variables given: a developer's own .env must not leak into the run.
    const cwd = mkdtempSync(join(tmpdir(), 'token-vault-run-'));
    const { uid } = options;
    if (uid !== undefined) chownSync(cwd, uid, uid);
    // Another user may not reach the checkout (a clone in a folder only its owner may enter): the bundle, which needs
    // no file beside it but for /docs, runs from a copy in the working directory that user owns.
    const runs = uid === undefined ? script : copyInto(cwd, script, uid);
    const child = spawn(process.execPath, [runs], {
      cwd,
      // No balancer polls a test's vault: a stop closes its listener at once unless a spec sets a drain to test it,
      // rather than each stop waiting the 3 s default.
      env: { PATH: process.env.PATH ?? '', SHUTDOWN_DRAIN_MS: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(uid === undefined ? {} : { uid, gid: uid }),
    });
    child.once('exit', () => rmSync(cwd, { recursive: true, force: true }));
    return new SpawnedVault(child);
  }

  /** Resolves once stdout matches, or fails with what the process printed. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.stdout.match(pattern);
      if (match) return match;
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`the vault did not print ${pattern} (exit ${this.child.exitCode}):\n${this.stderr.slice(-2000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  exit(): Promise<number | null> {
    return this.exited;
  }

  /** SIGTERM, as an orchestrator sends; a process still there after `graceMs` is killed, and exits with null. */
  async stop(graceMs = 10_000): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill('SIGTERM');
    const stuck = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(stuck);
    return code;
  }
}

/** A copy of `file` in `dir`, owned by `uid`: what that user runs when the original's folders may be closed to it. */
export function copyInto(dir: string, file: string, uid: number): string {
  const copy = join(dir, basename(file));
  copyFileSync(file, copy);
  chownSync(copy, uid, uid);
  return copy;
}
