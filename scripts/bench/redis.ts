import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Child } from './child';
import { Cleanup } from './cleanup';
import { freePort } from './free-port';

/** As test/support finds it: REDIS_SERVER_BIN when set, else redis-server on PATH. */
const redisServer = (): string => process.env.REDIS_SERVER_BIN || 'redis-server';

/**
 * A private redis-server on a free port with its own directory, never the machine's Redis on 6379: the bench
 * writes an audit entry per read and must not fill, or be slowed by, anything else. Persistence as
 * docker-compose.yml runs it (append-only, fsync every second), since that is what the vault meets in production.
 */
export async function startRedis(workDir: string, cleanup: Cleanup): Promise<{ url: string; child: Child }> {
  const port = await freePort();
  const dir = join(workDir, 'redis');
  mkdirSync(dir);
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''];
  const child = Child.start('redis', redisServer(), args, { cwd: workDir, env: { PATH: process.env.PATH ?? '' }, logDir: workDir });
  cleanup.add(() => child.stop());
  const deadline = Date.now() + 10_000;
  while (!(await answersPing(port))) {
    if (child.hasExited) throw new Error(`redis-server did not start (is it installed? set REDIS_SERVER_BIN to point at it):\n${child.lastOutput()}`);
    if (Date.now() > deadline) throw new Error('redis-server did not answer PING within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url: `redis://127.0.0.1:${port}`, child };
}

/**
 * Whether a redis-server on the port answers PING (after AUTH, with a password). A bare socket rather than ioredis:
 * an ioredis client that never connected leaves timers behind. The tests start their Redis with it too.
 */
export function answersPing(port: number, password?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.on('error', () => finish(false));
    const auth = password ? `AUTH ${password}\r\n` : '';
    socket.on('connect', () => socket.write(`${auth}PING\r\n`));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.split('\r\n').length > (auth ? 2 : 1)) finish(answer.endsWith('+PONG\r\n'));
    });
  });
}

/**
 * How many times Redis has run each command so far (INFO commandstats), by lower-case name, and the microseconds it
 * spent in them (`<name>_usec`): the commands a script runs are counted as their own, and in the script's time too.
 * A bare socket, as answersPing.
 */
export function commandCounts(port: number): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setTimeout(5000, () => socket.destroy(new Error('INFO commandstats had no answer within 5 s')));
    socket.on('error', reject);
    socket.on('connect', () => socket.write('INFO commandstats\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      const length = /^\$(\d+)\r\n/.exec(answer);
      if (!length || Buffer.byteLength(answer) < length[0].length + Number(length[1]) + 2) return;
      socket.destroy();
      const counts: Record<string, number> = {};
      for (const [, name, calls, usec] of answer.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
        counts[name] = Number(calls);
        counts[`${name}_usec`] = Number(usec);
      }
      resolve(counts);
    });
  });
}
