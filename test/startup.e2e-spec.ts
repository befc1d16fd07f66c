import { createServer } from 'node:net';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './support/free-port';
import { Scrape } from './support/prometheus-text';
import { untilReady } from './support/spawned-replicas';
import { SpawnedVault } from './support/spawned-vault';

const ROOT = join(__dirname, '..');

/** The commit checked out, as the build asked git for it; null without git or a repository. */
function headCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--verify', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

describe('start-up configuration', () => {
  it('stops with one message naming every problem, no stack trace and no value', async () => {
    const secret = 'not-base64-secret-value!!';
    const vault = SpawnedVault.start('vault', {
      PORT: 'eighty',
      TOKEN_STORE: 'postgres',
      TOKEN_EXPIRY_TIME: '25:00',
      VAULT_ENCRYPTION_KEY: secret,
      BROKER_API_SECRET: secret,
    });
    expect(await vault.exit()).toBe(1);
    const message = vault.stderr;
    for (const name of ['PORT', 'TOKEN_STORE', 'TOKEN_EXPIRY_TIME', 'BROKER_API_KEY', 'REDIRECT_URL']) {
      expect(message).toContain(name);
    }
    expect(message).toMatch(/^token-vault cannot start/);
    expect(message).not.toContain(secret);
    expect(message).not.toMatch(/\n\s+at /);
    expect(vault.stdout).toBe('');
  });

  it('requires VAULT_ENCRYPTION_KEY with the redis store', async () => {
    const vault = SpawnedVault.start('vault', {
      BROKER_API_KEY: 'app',
      BROKER_API_SECRET: 'secret',
      REDIRECT_URL: 'http://127.0.0.1:5000/pocketful/callback',
      ADMIN_AUTH: 'none',
    });
    expect(await vault.exit()).toBe(1);
    expect(vault.stderr).toContain('VAULT_ENCRYPTION_KEY');
  });

  it('refuses a METRICS_AUTH that would not keep /metrics closed, without repeating it', async () => {
    const short = 'short-metrics-secret';
    const vault = SpawnedVault.start('vault', {
      BROKER_API_KEY: 'app',
      BROKER_API_SECRET: 'secret',
      REDIRECT_URL: 'http://127.0.0.1:5000/pocketful/callback',
      ADMIN_AUTH: 'none',
      TOKEN_STORE: 'memory',
      METRICS_AUTH: `bearer:${short}`,
    });
    expect(await vault.exit()).toBe(1);
    expect(vault.stderr).toMatch(/^token-vault cannot start/);
    expect(vault.stderr).toContain('METRICS_AUTH=bearer:… needs a secret of 32 to 1024');
    expect(vault.stderr).not.toContain(short);
  });

  describe('a start', () => {
    const sandbox = (port: number) => ({ SANDBOX: 'true', TOKEN_STORE: 'memory', PORT: String(port), ADMIN_AUTH: 'none' });

    it("says once where it listens, and in the sandbox where to log in, without the framework's start-up lines", async () => {
      const port = await freePort();
      const vault = SpawnedVault.start('vault', sandbox(port));
      try {
        await vault.waitFor(/token-vault listening/);
        const lines = vault.stdout.trim().split('\n').map((line) => JSON.parse(line) as { msg: string; context?: string });
        expect(lines.filter((line) => line.msg.includes('listening'))).toEqual([
          expect.objectContaining({
            context: 'TokenVault',
            msg: `token-vault listening on http://127.0.0.1:${port} (store: memory); sandbox brokers: log in at http://127.0.0.1:${port}/pocketful/login`,
          }),
        ]);
        expect(lines.filter((line) => /InstanceLoader|RouterExplorer|RoutesResolver|NestApplication|NestFactory/.test(line.context ?? ''))).toEqual([]);
      } finally {
        await vault.stop();
      }
    });

    it(".env.example's redirect URL beside another PORT in the sandbox: warned at start, naming both ports", async () => {
      const port = await freePort();
      const vault = SpawnedVault.start('vault', { ...sandbox(port), REDIRECT_URL: 'http://127.0.0.1:5000/pocketful/callback' });
      try {
        await vault.waitFor(/token-vault listening/);
        const warnings = vault.stdout.trim().split('\n').map((line) => JSON.parse(line) as { level: number; msg: string; context?: string }).filter((line) => line.context === 'Login');
        expect(warnings).toEqual([
          expect.objectContaining({ level: 40, msg: expect.stringMatching(new RegExp(`^Pocketful's redirect URL names port 5000, but this vault listens on ${port}`)) }),
        ]);
      } finally {
        await vault.stop();
      }
    });

    it('on a port another process holds, says so plainly and never that it started', async () => {
      const holder = createServer();
      await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
      const port = (holder.address() as { port: number }).port;
      try {
        const vault = SpawnedVault.start('vault', sandbox(port));
        expect(await vault.exit()).toBe(1);
        expect(vault.stderr).toBe(`token-vault cannot listen on 127.0.0.1:${port}: another process is listening there (EADDRINUSE); stop it, or set PORT\n`);
        expect(vault.stdout).not.toMatch(/listening on|successfully started/);
      } finally {
        await new Promise((resolve) => holder.close(resolve));
      }
    });
  });

  it('says in token_vault_build_info which build it runs: the version, and the commit the bundle was built from', async () => {
    const port = await freePort();
    const vault = SpawnedVault.start('vault', { SANDBOX: 'true', TOKEN_STORE: 'memory', HOST: '127.0.0.1', PORT: String(port), METRICS_AUTH: 'none' });
    try {
      const url = `http://127.0.0.1:${port}`;
      await untilReady({ url });
      const [info, ...others] = new Scrape(await (await fetch(`${url}/metrics`)).text()).samples.filter((sample) => sample.name === 'token_vault_build_info');
      expect(others).toEqual([]);
      expect(info.value).toBe(1);
      const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
      const commit = headCommit();
      // npm test builds the bundle from the checkout it tests, with any edits not yet committed marked as such.
      if (commit === null) expect(info.labels).toEqual({ version });
      else expect(info.labels).toEqual({ version, revision: expect.stringMatching(new RegExp(`^${commit}(-dirty)?$`)) });
    } finally {
      await vault.stop();
    }
  });
});
