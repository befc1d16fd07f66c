import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** What a command did: its exit code (null when a signal ended it), its output, and how long it took. */
export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface RunOptions {
  /** Written to its stdin, which is then closed. */
  input?: string;
  /** Variables added to this process's environment for it (docker compose exec -e NAME passes them on by name). */
  env?: Record<string, string>;
}

/**
 * Builds go through BuildKit, as current Docker builds by default (where it is set to the classic builder, as the
 * stand-in engine of README's Tests section is, a Dockerfile's `# syntax=` line is never looked at). Every command
 * of the project uses it, so that a second build finds the first one's cache.
 */
const BUILDER = { DOCKER_BUILDKIT: '1' };

/** A service's container as `docker compose ps --format json` describes it. */
export interface ServiceState {
  Name: string;
  Service: string;
  State: string;
  Health: string;
  ExitCode: number;
}

/** Runs `command args…` to its end. */
export function run(command: string, args: string[], cwd: string, options: RunOptions = {}): Promise<Ran> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', reject);
    child.once('close', (code) =>
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ms: performance.now() - started }),
    );
    child.stdin.end(options.input ?? '');
  });
}

/** The last lines of a command's output, to say why it failed. */
export function tail(ran: Ran, lines = 25): string {
  return `${ran.stdout}\n${ran.stderr}`.trim().split('\n').slice(-lines).join('\n');
}

/**
 * One compose project, under a name of its own, in a folder laid out as an operator's checkout: every command is
 * `docker compose -p NAME …` run there, as the README writes it, with the profiles given.
 */
export class ComposeProject {
  constructor(
    readonly dir: string,
    readonly name: string,
  ) {}

  /** `docker compose [--profile P…] ARGS…`. */
  compose(args: string[], options: RunOptions & { profiles?: string[] } = {}): Promise<Ran> {
    const profiles = (options.profiles ?? []).flatMap((profile) => ['--profile', profile]);
    return run('docker', ['compose', '-p', this.name, ...profiles, ...args], this.dir, { ...options, env: { ...BUILDER, ...options.env } });
  }

  /** As `compose`, failing with the command's last lines unless it exits 0. */
  async must(args: string[], options: RunOptions & { profiles?: string[] } = {}): Promise<Ran> {
    const ran = await this.compose(args, options);
    if (ran.code !== 0) throw new Error(`docker compose ${args.join(' ')} exited ${ran.code}:\n${tail(ran)}`);
    return ran;
  }

  /** Every container of the project's services in `profiles`, stopped ones included. */
  async states(profiles: string[] = []): Promise<ServiceState[]> {
    const ran = await this.must(['ps', '--all', '--format', 'json'], { profiles });
    const text = ran.stdout.trim();
    if (!text) return [];
    // Compose 2.21 and later write one object a line; earlier ones, one array.
    return text.startsWith('[') ? (JSON.parse(text) as ServiceState[]) : text.split('\n').map((line) => JSON.parse(line) as ServiceState);
  }

  /** The seconds `docker stop` gives the service's container before it kills it (Docker's default: 10). */
  async stopTimeout(service: string, profiles: string[] = []): Promise<number> {
    const state = (await this.states(profiles)).find((candidate) => candidate.Service === service);
    if (!state) throw new Error(`${service} has no container`);
    const ran = await run('docker', ['inspect', '--format', '{{json .Config.StopTimeout}}', state.Name], this.dir);
    const seconds = JSON.parse(ran.stdout.trim() || 'null') as number | null;
    return seconds ?? 10;
  }

  /** Until every service named is running and healthy; the milliseconds it took. */
  async healthy(services: string[], profiles: string[] = [], timeoutMs = 180_000): Promise<number> {
    const started = performance.now();
    for (;;) {
      const states = await this.states(profiles);
      const unwell = services.filter((service) => {
        const state = states.find((candidate) => candidate.Service === service);
        return state?.State !== 'running' || state.Health !== 'healthy';
      });
      if (unwell.length === 0) return performance.now() - started;
      if (performance.now() - started > timeoutMs) {
        const described = unwell.map((service) => {
          const state = states.find((candidate) => candidate.Service === service);
          return `${service} ${state ? `${state.State} ${state.Health || ''}`.trim() : 'absent'}`;
        });
        throw new Error(`not healthy within ${timeoutMs / 1000} s: ${described.join(', ')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  /** The service's log as the vault wrote it (one JSON object a line), without compose's prefixes. */
  async logs(service: string, profiles: string[] = []): Promise<string> {
    return (await this.must(['logs', '--no-color', '--no-log-prefix', service], { profiles })).stdout;
  }

  /** Runs a plain JavaScript program (an ES module) with the node of a running service's container, to its end. */
  nodeIn(service: string, program: string, args: string[], options: RunOptions & { profiles?: string[] } = {}): Promise<Ran> {
    const passed = Object.keys(options.env ?? {}).flatMap((name) => ['-e', name]);
    return this.compose(['exec', '-T', ...passed, service, 'node', '--input-type=module', '-', ...args], { ...options, input: readFileSync(program, 'utf8') });
  }

  /**
   * As `nodeIn`, but handing back each line it prints as it prints it: `lines` yields them, and `done` ends with the
   * command.
   */
  nodeInStreaming(service: string, program: string, args: string[], env: Record<string, string>): { lines: AsyncIterator<string>; done: Promise<number | null> } {
    const passed = Object.keys(env).flatMap((name) => ['-e', name]);
    const child = spawn('docker', ['compose', '-p', this.name, 'exec', '-T', ...passed, service, 'node', '--input-type=module', '-', ...args], {
      cwd: this.dir,
      env: { ...process.env, ...BUILDER, ...env },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    child.stdin.end(readFileSync(program, 'utf8'));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const done = new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    return { lines, done };
  }
}
