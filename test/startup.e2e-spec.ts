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
});
