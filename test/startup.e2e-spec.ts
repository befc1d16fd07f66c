import { createServer } from 'node:net';
import { freePort } from './support/free-port';
import { SpawnedVault } from './support/spawned-vault';

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
});
