import { join } from 'node:path';
import { Child } from './child';
import { Cleanup } from './cleanup';
import { freePort } from './free-port';
import { timeToFirst200 } from './http';

export type ReferenceKind = 'bare' | 'framework' | 'hop';

/** The hop is the framework server given a Redis (servers/framework-server.ts). */
const ENTRY: Record<ReferenceKind, string> = { bare: 'bare-server.js', framework: 'framework-server.js', hop: 'framework-server.js' };

export interface StartedServer {
  child: Child;
  url: string;
  readyMs: number;
}

/**
 * A comparison server in its own process, as the vault is, so each target has a process (and a core) of its own;
 * the hop with the Redis it asks (`redisUrl`).
 */
export async function startReferenceServer(
  kind: ReferenceKind,
  path: string,
  bodyFile: string,
  workDir: string,
  cleanup: Cleanup,
  redisUrl?: string,
): Promise<StartedServer> {
  const port = await freePort();
  const env = { PATH: process.env.PATH ?? '', NODE_ENV: 'production' };
  const args = [join(__dirname, 'servers', ENTRY[kind]), String(port), bodyFile, ...(redisUrl ? [redisUrl] : [])];
  const child = Child.start(kind, process.execPath, args, { cwd: workDir, env, logDir: workDir });
  cleanup.add(() => child.stop());
  const url = `http://127.0.0.1:${port}${path}`;
  const readyMs = await timeToFirst200(child, url);
  return { child, url, readyMs };
}
