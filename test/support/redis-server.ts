import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { answersPing } from '../../scripts/bench/redis';
import { freePort } from './free-port';
import { redisServerPath } from './required-tools';

export interface TestRedisOptions {
  /** Keep an append-only file, as docker-compose's Redis does, so a restart keeps the data. */
  appendOnly?: boolean;
  /** Require this password (requirepass), as docker-compose's Redis does. */
  password?: string;
}

/**
 * A private redis-server for one test file, on a free port with its own directory: tests can stop and restart it,
 * and never touch the machine's own Redis on 6379.
 */
export class TestRedis {
  private process: ChildProcess | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'token-vault-redis-'));

  private constructor(
    readonly port: number,
    private readonly options: TestRedisOptions,
  ) {}

  static async start(options: TestRedisOptions = {}): Promise<TestRedis> {
    const redis = new TestRedis(await freePort(), options);
    await redis.launch();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** The variables that point a vault at this server, its password among them. */
  get variables(): Record<string, string> {
    return { REDIS_URL: this.url, ...(this.options.password ? { REDIS_PASSWORD: this.options.password } : {}) };
  }

  /** A plain client for looking at what the vault wrote. The caller quits it. */
  client(): Redis {
    return new Redis(this.port, '127.0.0.1', { lazyConnect: false, maxRetriesPerRequest: 1, password: this.options.password });
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    this.process = null;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    // A Redis stopped with SIGSTOP by a test, or stuck writing, is not waited for.
    const stuck = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(stuck);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** SIGSTOP: Redis keeps its connections open and answers nothing, as a stalled host or a full disk does. */
  pause(): void {
    this.process?.kill('SIGSTOP');
  }

  /** SIGCONT: the paused Redis answers again, including what it was sent meanwhile. */
  resume(): void {
    this.process?.kill('SIGCONT');
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async launch(): Promise<void> {
    const args = [
      '--port', String(this.port),
      '--bind', '127.0.0.1',
      '--save', '',
      '--dir', this.dir,
      '--appendonly', this.options.appendOnly ? 'yes' : 'no',
      '--appendfsync', 'always',
      ...(this.options.password ? ['--requirepass', this.options.password] : []),
    ];
    const child = spawn(redisServerPath(), args, { stdio: 'ignore' });
    this.process = child;
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (error) => reject(new Error(`redis-server could not start (${(error as NodeJS.ErrnoException).code}); install it`)));
      child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
    });
    await Promise.race([this.waitForPing(), failed]);
  }

  private async waitForPing(): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      if (await answersPing(this.port, this.options.password)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('redis-server did not answer PING');
  }
}

export { answersPing };
