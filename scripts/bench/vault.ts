import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientFor, newServiceKey, writeClientsFile } from '../../src/access/clients-file';
import type { ServiceClient } from '../../src/access/service-client';
import type { BrokerStub } from './broker-stub';
import { Child } from './child';
import { Cleanup } from './cleanup';
import { freePort } from './free-port';
import { timeToFirst200 } from './http';
import { projectRoot } from './project-root';

export const ACCOUNT = 'YA0002';

/** The vault's login callback on a port of 127.0.0.1, as its app is registered at the broker (REDIRECT_URL). */
export const callbackUrl = (port: number): string => `http://127.0.0.1:${port}/pocketful/callback`;

/** The config's ceiling: at 1,000,000 a minute the limiter still runs on every request but does not refuse. */
const RATE_LIMIT_PER_MINUTE = '1000000';

export interface StartedVault {
  child: Child;
  url: string;
  readyMs: number;
  /** A service key that may read ACCOUNT only, as a strategy's would. */
  readerKey: string;
  adminKey: string;
}

/** What replicas of one vault share: its clients file and the keys in it, and the encryption key. */
export interface VaultSecrets {
  clientsFile: string;
  readerKey: string;
  adminKey: string;
  encryptionKey: string;
}

/**
 * A clients file in `dir` with the bench's reader (ACCOUNT only, as a strategy's key) and admin, and `others`
 * besides, and a fresh encryption key.
 */
export function vaultSecrets(dir: string, others: ServiceClient[] = []): VaultSecrets {
  const readerKey = newServiceKey();
  const adminKey = newServiceKey();
  const clientsFile = join(dir, 'clients.json');
  writeClientsFile(clientsFile, [clientFor('bench-reader', readerKey, [ACCOUNT], false), clientFor('bench-admin', adminKey, ['*'], true), ...others]);
  return { clientsFile, readerKey, adminKey, encryptionKey: randomBytes(32).toString('base64') };
}

export interface VaultRun {
  /** Where node --cpu-prof writes the process's profile; none when null. */
  profileDir?: string | null;
  /** The bundle to run: dist/vault.js unless another build is compared with it. */
  bundle?: string;
  /** What the bench calls it in its messages; also the name of its folder and its logs in workDir. */
  name?: string;
  /** Shared with the other replicas on the same Redis; a vault of its own makes its own. */
  secrets?: VaultSecrets;
  /** The port it listens on; a free one when absent. */
  port?: number;
  /** Variables over the bench's own. */
  env?: Record<string, string>;
}

/** The node flags `npm start` runs the vault with (and the image's CMD, test/static/compose.spec.ts): as production runs it. */
function startFlags(): string[] {
  const start = (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  return start.split(' ').filter((word) => word.startsWith('--'));
}

/**
 * The bundle as `npm start` runs it (its node flags too), set as an operator sets it: Redis store, rate limiting and
 * fail-closed audit on, request logs at info. It runs in an empty directory with only these variables, so no developer's .env changes what is
 * measured.
 */
export async function startVault(
  workDir: string,
  redisUrl: string,
  broker: BrokerStub,
  cleanup: Cleanup,
  { profileDir = null, bundle = join(projectRoot(), 'dist', 'vault.js'), name = 'vault', secrets = vaultSecrets(workDir), port, env: extra = {} }: VaultRun = {},
): Promise<StartedVault> {
  const { clientsFile, readerKey, adminKey, encryptionKey } = secrets;
  port ??= await freePort();
  const url = `http://127.0.0.1:${port}`;
  const cwd = join(workDir, name);
  mkdirSync(cwd);
  const env = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    TOKEN_STORE: 'redis',
    REDIS_URL: redisUrl,
    VAULT_ENCRYPTION_KEY: encryptionKey,
    VAULT_CLIENTS_FILE: clientsFile,
    BROKER_API_KEY: broker.appId,
    BROKER_API_SECRET: broker.appSecret,
    REDIRECT_URL: broker.redirectUrl,
    POCKETFUL_BASE_URL: broker.url,
    LOG_LEVEL: 'info',
    RATE_LIMIT_PER_MINUTE,
    AUDIT_FAIL_CLOSED: 'true',
    ADMIN_AUTH: 'none',
    // No balancer polls a bench's vault, so a stop need not hold its listener open for one: each stop would
    // otherwise wait the 3 s default drain, one replica after another.
    SHUTDOWN_DRAIN_MS: '0',
    ...extra,
  };
  const profile = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const child = Child.start(name, process.execPath, [...profile, ...startFlags(), bundle], { cwd, env, logDir: workDir });
  cleanup.add(() => child.stop(10_000));
  const readyMs = await timeToFirst200(child, `${url}/health/ready`);
  return { child, url, readyMs, readerKey, adminKey };
}
