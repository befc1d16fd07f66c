import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeAll } from './support/close-all';
import { FakePocketful } from './support/fake-pocketful';
import { FakeZerodha } from './support/fake-zerodha';
import { freePort } from './support/free-port';
import { Ran, runToEnd } from './support/run-to-end';
import { ManualClock } from './support/manual-clock';
import { TestVault } from './support/test-vault';
import { BASE_DAY } from './support/test-time';

const CLI = join(__dirname, '..', 'dist', 'cli', 'status.js');

/**
 * `npm run status` as cron runs it: its own process, in a directory of its own, with only the variables given. Spawned
 * without blocking, since the vault it asks answers from this process.
 */
function status(cwd: string, env: Record<string, string>, ...args: string[]): Promise<Ran> {
  return runToEnd(process.execPath, [CLI, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env } });
}

/** Where people reach the vault, behind a proxy: not the URL the command asks at. */
const PUBLIC_URL = 'https://vault.desk.example';

describe('npm run status', () => {
  let broker: FakePocketful;
  let kite: FakeZerodha;
  let vault: TestVault;
  let dir: string;
  const asOps = () => ({ VAULT_URL: vault.url, VAULT_KEY: vault.keys.ops });

  beforeAll(async () => {
    broker = await new FakePocketful().start();
    kite = await new FakeZerodha().start();
    vault = await TestVault.start({
      broker,
      clock: new ManualClock(BASE_DAY.at('10:00')),
      env: { ...kite.variables, PUBLIC_URL, ALLOWED_CLIENT_IDS: 'YA0002,YA0003,zerodha:AB1234', MISSING_TOKEN_CHECK_AT: 'off' },
    });
    dir = mkdtempSync(join(tmpdir(), 'token-vault-status-'));
  });

  afterAll(async () => {
    await closeAll(() => vault?.close(), () => kite?.stop(), () => broker?.stop(), () => dir && rmSync(dir, { recursive: true, force: true }));
  });

  it("prints the accounts as an aligned table with each one's broker, and exits 1 while an expected account has no token", async () => {
    await vault.login('YA0002', broker);
    const run = await status(dir, asOps());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const lines = run.stdout.split('\n');
    const header = lines.find((line) => line.startsWith('ACCOUNT'))!;
    const ya0002 = lines.find((line) => line.startsWith('YA0002'))!;
    const ya0003 = lines.find((line) => line.startsWith('YA0003'))!;
    const zerodha = lines.find((line) => line.startsWith('zerodha:AB1234'))!;
    expect(header).toMatch(/^ACCOUNT\s+BROKER\s+STATE\s+SOURCE\s+ISSUED \(IST\)\s+EXPIRES \(IST\)\s+LEFT$/);
    expect(ya0002).toMatch(new RegExp(`^YA0002\\s+Pocketful\\s+live\\s+login\\s+${BASE_DAY} 10:00\\s+${BASE_DAY.plus(1)} 00:00\\s+14 h 00 min$`));
    expect(ya0003).toMatch(/^YA0003\s+Pocketful\s+missing(\s+-){4}$/);
    expect(zerodha).toMatch(/^zerodha:AB1234\s+Zerodha\s+missing(\s+-){4}$/);
    // Every column starts where its heading does.
    for (const heading of ['BROKER', 'STATE', 'SOURCE', 'EXPIRES']) {
      const column = header.indexOf(heading);
      for (const row of [ya0002, zerodha]) expect(row.slice(column - 2, column + 1)).toMatch(/^ {2}\S$/);
    }
    // Each broker's accounts, then its login as the vault links it: under PUBLIC_URL, not the URL asked.
    expect(lines).toContain(
      'NOT OK: no live token for YA0003 (missing), zerodha:AB1234 (missing). ' +
        `Log in: YA0003 at ${PUBLIC_URL}/pocketful/login; zerodha:AB1234 at ${PUBLIC_URL}/zerodha/login`,
    );
    expect(run.stdout).toContain('Vault: store memory up');
    expect(run.stdout).not.toContain(vault.keys.ops);
  });

  it("sends the one account left to its broker's login, and exits 0 once every expected account has a live token", async () => {
    await vault.login('YA0003', broker);
    const waiting = await status(dir, asOps());
    expect(waiting.code).toBe(1);
    expect(waiting.stdout).toContain(`NOT OK: no live token for zerodha:AB1234 (missing). Log in at ${PUBLIC_URL}/zerodha/login\n`);

    expect((await kite.loginAt(vault, 'AB1234')).status).toBe(200);
    const run = await status(dir, asOps());
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^zerodha:AB1234\s+Zerodha\s+live\s+login\s/m);
    expect(run.stdout).toContain('OK: every expected account has a live token (3).');
  });

  it('finds the vault by PORT and the key in .env, as on the vault’s own box', async () => {
    const box = mkdtempSync(join(tmpdir(), 'token-vault-status-env-'));
    try {
      writeFileSync(join(box, '.env'), `PORT=${new URL(vault.url).port}\nVAULT_KEY=${vault.keys.ops}\n`);
      const run = await status(box, {});
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`at ${vault.url},`);
    } finally {
      rmSync(box, { recursive: true, force: true });
    }
  });

  it('takes the URL and key as flags too', async () => {
    const run = await status(dir, {}, '--url', `${vault.url}/`, '--key', vault.keys.ops);
    expect(run.code).toBe(0);
  });

  it('exits 2, saying why and never the key, when the vault refuses the key', async () => {
    for (const [key, answer] of [
      [vault.keys['strategy-a'], '403 forbidden'],
      ['tvk_not-a-key-of-this-vault', '401 unauthorized'],
    ]) {
      const run = await status(dir, { VAULT_URL: vault.url, VAULT_KEY: key });
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(answer);
      expect(run.stderr + run.stdout).not.toContain(key);
    }
  });

  it('exits 2 when nothing answers at the URL', async () => {
    const run = await status(dir, { VAULT_URL: `http://127.0.0.1:${await freePort()}`, VAULT_KEY: vault.keys.ops });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/did not answer \(ECONNREFUSED\)/);
    expect(run.stderr).not.toContain(vault.keys.ops);
  });

  it.each([
    [{ VAULT_URL: 'http://127.0.0.1:1' }, /VAULT_KEY/],
    [{ VAULT_URL: 'ftp://vault', VAULT_KEY: 'k' }, /http\(s\) URL/],
    [{ VAULT_URL: 'http://ops:secret@vault', VAULT_KEY: 'k' }, /must not hold credentials/],
  ])('exits 2 with a message for %j', async (env, message) => {
    const run = await status(dir, env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toContain('secret');
  });
});
