import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** What a checkout's .env holds beyond .env.example's shape, for the test's stack. */
export interface StackSecrets {
  redisPassword: string;
  sentinelPassword: string;
  encryptionKey: string;
}

/**
 * A copy of this checkout as a fresh clone with the working tree's changes would be (the files git tracks or would
 * track; no node_modules, dist, .env or service-keys), in a folder of its own: the stack runs there as an operator
 * runs it, and the developer's own .env and service keys are neither read nor touched.
 */
export function copyCheckout(root: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'token-vault-compose-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    const target = join(dir, file);
    mkdirSync(dirname(target), { recursive: true });
    try {
      copyFileSync(join(root, file), target);
    } catch (error) {
      // A tracked file deleted in the working tree is not part of it.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return dir;
}

/**
 * .env as the README says to make it: .env.example copied and filled in (a Redis password, an encryption key), here
 * with the sandbox broker in place of Pocketful (its placeholders taken out), open pages (no operator password: ADMIN_AUTH=none), and the reads'
 * rate limit raised for the load the test sends. `sentinel` adds REDIS_SENTINEL_PASSWORD, which the sentinel
 * profile needs and the default stack must do without.
 */
export function writeDotEnv(dir: string, secrets: StackSecrets, sentinel: boolean): void {
  let filled = readFileSync(join(dir, '.env.example'), 'utf8');
  const fill: Array<[string, string]> = [
    ['REDIS_PASSWORD', secrets.redisPassword],
    ['VAULT_ENCRYPTION_KEY', secrets.encryptionKey],
    ['ADMIN_AUTH', 'none'],
  ];
  for (const [name, value] of fill) {
    const blank = new RegExp(`^${name}=$`, 'm');
    if (!blank.test(filled)) throw new Error(`.env.example has no blank ${name}= line to fill in`);
    filled = filled.replace(blank, `${name}=${value}`);
  }
  // The sandbox's own app stands in for Pocketful's: the example's placeholders go, as the vault refuses them.
  for (const name of ['BROKER_API_KEY', 'BROKER_API_SECRET']) {
    const placeholder = new RegExp(`^${name}=your-[a-z-]+$`, 'm');
    if (!placeholder.test(filled)) throw new Error(`.env.example has no ${name} placeholder to take out`);
    filled = filled.replace(placeholder, `# ${name}=`);
  }
  const more = ['SANDBOX=true', 'RATE_LIMIT_PER_MINUTE=1000000', ...(sentinel ? [`REDIS_SENTINEL_PASSWORD=${secrets.sentinelPassword}`] : [])];
  writeFileSync(join(dir, '.env'), `${filled}\n${more.join('\n')}\n`, { mode: 0o600 });
}

export function newSecrets(): StackSecrets {
  return {
    redisPassword: randomBytes(24).toString('hex'),
    sentinelPassword: randomBytes(24).toString('hex'),
    encryptionKey: randomBytes(32).toString('base64'),
  };
}
