import { spawn } from 'node:child_process';

/** A program that ran to its end: its exit code (null when a signal ended it) and what it wrote on each stream. */
export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  /** Its whole environment: nothing of this process's is passed unless it is here. */
  env: NodeJS.ProcessEnv;
  /** Past this, it gets SIGTERM (and ends as it ends on that); none when absent. */
  timeoutMs?: number;
}

/**
 * Runs a program in a process of its own to its end, its output kept. Spawned, never run synchronously, so the
 * event loop stays free for the vaults and stand-ins in this process that the program talks to.
 */
export function runToEnd(program: string, args: string[], { cwd, env, timeoutMs }: RunOptions): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const stuck = timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(stuck);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(stuck);
      resolve({ code, stdout, stderr });
    });
  });
}
