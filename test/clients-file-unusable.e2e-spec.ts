import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientFor, newServiceKey, writeClientsFile } from '../src/access/clients-file';
import { closeAll } from './support/close-all';
import { FakePocketful } from './support/fake-pocketful';
import { freePort } from './support/free-port';
import { Scrape } from './support/prometheus-text';
import { untilReady } from './support/spawned-replicas';
import { SpawnedVault } from './support/spawned-vault';
import { json, TestVault } from './support/test-vault';
import { until } from './support/until';

/** Short, so that a test sees the whole of it; the default is 60 s. */
const GRACE_SECONDS = 3;
/** The watcher checks the file every second: what "once per interval" means for its error line. */
const CHECK_MS = 1000;

interface Line {
  level: number;
  time: number;
  context?: string;
  msg: string;
}

const parsed = (lines: readonly string[]): Line[] => lines.map((line) => JSON.parse(line) as Line);

/** The clients file's error lines, from the JSON lines a vault wrote. */
const errorsOf = (lines: readonly string[]) => parsed(lines).filter((line) => line.context === 'ClientsFile' && line.level === 50);

/**
 * A vault whose clients file turns unusable while it serves (issue: the removed key kept getting tokens while the
 * replicas said, once, that they kept the clients last read): it says so at every check, in its metrics, its status
 * and readiness; past CLIENTS_FILE_GRACE_SECONDS it refuses the file's keys; and it recovers by itself once the file
 * is fixed.
 */
describe('a clients file that is no longer valid JSON', () => {
  let broker: FakePocketful;
  let vault: TestVault;
  let dir: string;
  let file: string;
  const strategyKey = newServiceKey();
  const strategy = clientFor('strategy-a', strategyKey, ['YA0002', 'YA0009'], false);
  let brokenAt: number;
  /** A read held open (`?wait`) for an account nobody logs in, from before the file broke. */
  let held: Promise<{ status: number; error?: string } | Error>;

  const read = () => fetch(`${vault.url}/v1/tokens/YA0002`, { headers: { authorization: `Bearer ${strategyKey}` } });
  const scrape = async () => new Scrape(await (await vault.fetch('/metrics')).text());
  const status = async () => (await json(await vault.fetch('/v1/status', { as: 'ops' }))).health.clientsFile;
  const page = async () => (await vault.fetch('/')).text();
  const errors = () => errorsOf(vault.logs.lines);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'token-vault-unusable-'));
    file = join(dir, 'clients.json');
    writeClientsFile(file, [strategy]);
    broker = await new FakePocketful().start();
    // `ops` is made in code, as the demo's key is: it does not depend on the file.
    vault = await TestVault.start({
      broker,
      clients: [{ name: 'ops', accounts: ['*'], admin: true }],
      env: { VAULT_CLIENTS_FILE: file, CLIENTS_FILE_GRACE_SECONDS: String(GRACE_SECONDS), LOG_LEVEL: 'info' },
    });
    await vault.login('YA0002', broker);
  });

  afterAll(() =>
    closeAll(
      () => vault?.close(),
      () => broker?.stop(),
      () => rmSync(dir, { recursive: true, force: true }),
    ),
  );

  it('while it can be used: its keys are served, and the metrics, readiness and status say so', async () => {
    expect((await read()).status).toBe(200);
    held = fetch(`${vault.url}/v1/tokens/YA0009?wait=50`, { headers: { authorization: `Bearer ${strategyKey}` } }).then(
      async (response) => ({ status: response.status, error: (await json(response)).error }),
      (error: Error) => error,
    );
    const metrics = await scrape();
    expect(metrics.value('token_vault_clients_file_valid')).toBe(1);
    expect(Math.abs(metrics.value('token_vault_clients_file_last_read_timestamp_seconds')! - Date.now() / 1000)).toBeLessThan(5);
    const ready = await vault.fetch('/health/ready');
    expect(ready.status).toBe(200);
    expect((await json(ready)).details.clientsFile).toMatchObject({ status: 'up', clients: 1 });
    expect(await status()).toMatchObject({ status: 'up', valid: true, path: file, clients: 1, message: null, failingSince: null, grace: GRACE_SECONDS });
    expect(errors()).toEqual([]);
  });

  it('within the grace: serves the keys last read, and says at once, everywhere, that it cannot use the file', async () => {
    // A hand edit saved half-way, in place.
    writeFileSync(file, '{"clients": [{"name": "strategy-a", "keySha2');
    brokenAt = Date.now();
    await until(() => errors().length > 0, 3 * CHECK_MS, 'an error line');
    expect((await read()).status).toBe(200);

    const ready = await vault.fetch('/health/ready');
    expect(ready.status).toBe(200);
    expect((await json(ready)).details.clientsFile).toMatchObject({ status: 'up', message: 'it is not valid JSON' });
    expect((await scrape()).value('token_vault_clients_file_valid')).toBe(0);
    expect(await status()).toMatchObject({ status: 'up', valid: false, message: 'it is not valid JSON', failingSince: expect.any(String) });
    const shown = await page();
    expect(shown).toMatch(/<dd id="health-clients-file" class="down">[^<]*cannot be used since/);
    expect(shown).toContain('The 1 client last read keep their keys until');
  });

  it('past the grace: not ready, the keys of the file refused with 503 clients_file_unusable, the clients made in code still served', async () => {
    await until(async () => (await vault.fetch('/health/ready')).status === 503, (GRACE_SECONDS + 3) * 1000, 'readiness to fail');
    expect(Date.now() - brokenAt).toBeGreaterThanOrEqual(GRACE_SECONDS * 1000);
    const ready = await json(await vault.fetch('/health/ready'));
    expect(ready).toMatchObject({
      error: 'not_ready',
      message: 'the vault cannot serve tokens now: its clients file cannot be used',
      details: { store: { status: 'up' }, clientsFile: { status: 'down', message: 'it is not valid JSON' } },
    });

    // The read held open since before the file broke ends with the same answer, not at its deadline.
    expect(await held).toEqual({ status: 503, error: 'clients_file_unusable' });
    const refused = await read();
    expect(refused.status).toBe(503);
    const body = await json(refused);
    expect(body.error).toBe('clients_file_unusable');
    expect(body.message).not.toContain(file);
    // Not a guess at a key: nothing counted against the address, however often a strategy retries.
    for (let attempt = 0; attempt < 12; attempt += 1) expect((await read()).status).toBe(503);

    expect(await status()).toMatchObject({ status: 'down', valid: false });
    expect(await page()).toContain('No key of it is accepted, and this replica is not ready, until it can be read.');
    const metrics = await scrape();
    expect(metrics.value('token_vault_clients_file_valid')).toBe(0);
    expect(metrics.value('token_vault_clients_file_last_read_timestamp_seconds')!).toBeLessThan(brokenAt / 1000);
  });

  it('logs an error once per check interval, with the path and the reason, and never a key', async () => {
    const before = errors().length;
    await new Promise((resolve) => setTimeout(resolve, 3 * CHECK_MS + 300));
    const lines = errors();
    // Three more checks in those three seconds, give or take one for a busy machine: neither silence nor a flood.
    expect(lines.length - before).toBeGreaterThanOrEqual(2);
    expect(lines.length - before).toBeLessThanOrEqual(4);
    const gaps = lines.slice(1).map((line, index) => line.time - lines[index].time);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(CHECK_MS - 100);
    for (const line of lines) {
      expect(line.msg).toContain(`clients file ${file} cannot be used: it is not valid JSON;`);
    }
    expect(lines.at(-1)!.msg).toMatch(/past CLIENTS_FILE_GRACE_SECONDS \(3 s\): the keys of the 1 client last read are refused/);
    expect(vault.logs.leaked([strategyKey, strategy.keySha256, ...Object.values(vault.keys)])).toEqual([]);
    // The refused reads are not logged one by one: the file's error lines say it.
    expect(parsed(vault.logs.lines).filter((line) => line.level >= 50 && line.context !== 'ClientsFile')).toEqual([]);
  });

  it('recovers by itself once the file is fixed: ready, the keys served, the error lines stopped', async () => {
    writeClientsFile(file, [strategy]);
    await until(async () => (await vault.fetch('/health/ready')).status === 200, 3 * CHECK_MS, 'readiness back');
    expect((await read()).status).toBe(200);
    expect((await scrape()).value('token_vault_clients_file_valid')).toBe(1);
    expect(await status()).toMatchObject({ status: 'up', valid: true, message: null, failingSince: null });
    expect(await page()).toMatch(/<dd id="health-clients-file" class="up">/);
    expect(vault.logs.text).toContain(`clients file ${file} is valid again: 1 client, unchanged; its keys are accepted again`);
    const after = errors().length;
    await new Promise((resolve) => setTimeout(resolve, 2 * CHECK_MS));
    expect(errors()).toHaveLength(after);
  });
});

describe('a clients file path that is a directory (root reads any file, but no directory as one)', () => {
  it('cannot be read (EISDIR): said at every check, not ready past the grace, and ready again once it is a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'token-vault-unusable-'));
    const file = join(dir, 'clients.json');
    const key = newServiceKey();
    writeClientsFile(file, [clientFor('strategy-a', key, ['YA0002'], false)]);
    const broker = await new FakePocketful().start();
    let vault: TestVault | undefined;
    try {
      vault = await TestVault.start({ broker, clients: [], env: { VAULT_CLIENTS_FILE: file, CLIENTS_FILE_GRACE_SECONDS: '1', LOG_LEVEL: 'info' } });
      const started = vault;
      const read = async () => (await fetch(`${started.url}/v1/tokens/YA0002`, { headers: { authorization: `Bearer ${key}` } })).status;
      expect(await read()).toBe(404);
      rmSync(file);
      mkdirSync(file);
      await until(async () => (await started.fetch('/health/ready')).status === 503, 5000, 'readiness to fail');
      expect(await read()).toBe(503);
      expect(errorsOf(started.logs.lines).map((line) => line.msg)).toContainEqual(
        expect.stringMatching(new RegExp(`^clients file ${file} cannot be used: it cannot be read \\(EISDIR\\); unusable for`)),
      );
      rmSync(file, { recursive: true });
      writeClientsFile(file, [clientFor('strategy-a', key, ['YA0002'], false)]);
      await until(async () => (await started.fetch('/health/ready')).status === 200, 3000, 'readiness back');
      expect(await read()).toBe(404);
    } finally {
      await closeAll(
        () => vault?.close(),
        () => broker.stop(),
        () => rmSync(dir, { recursive: true, force: true }),
      );
    }
  }, 20_000);
});

/**
 * The incident as it happened under Docker: the vault runs as uid 1000 (the image's `node`), the operator (root here)
 * made the file readable to it with `chmod 644`, then ran `npm run clients -- remove`. The command used to write the
 * file back 0600, which the vault could not read (EACCES): it kept serving the removed key. Run as root, this test
 * runs the vault as uid 1000; run as anyone else, as the same user, which a `chmod 000` shuts out just as well.
 */
describe('a vault running as another user than the one who edits its clients file', () => {
  const CLI = join(__dirname, '..', 'dist', 'cli', 'clients.js');
  const vaultUid = process.getuid?.() === 0 ? 1000 : undefined;
  let dir: string;
  let file: string;
  let vault: SpawnedVault | undefined;
  let url: string;
  const keys: Record<string, string> = {};

  function clients(...args: string[]): string {
    const run = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '', VAULT_CLIENTS_FILE: file }, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`clients ${args.join(' ')} failed: ${run.stderr}`);
    return run.stdout;
  }

  /** 404: the key is let in (no token was stored); 401: refused; 503: the file's keys withheld. */
  const answer = async (name: string) => (await fetch(`${url}/v1/tokens/YA0002`, { headers: { authorization: `Bearer ${keys[name]}` } })).status;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'token-vault-other-user-'));
    chmodSync(dir, 0o755);
    file = join(dir, 'clients.json');
    keys['strategy-a'] = clients('add', 'strategy-a', '--accounts', 'YA0002').trim();
    keys['strategy-b'] = clients('add', 'strategy-b', '--accounts', 'YA0002').trim();
    chmodSync(file, 0o644);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    vault = SpawnedVault.start(
      'vault',
      { SANDBOX: 'true', TOKEN_STORE: 'memory', HOST: '127.0.0.1', PORT: String(port), VAULT_CLIENTS_FILE: file, CLIENTS_FILE_GRACE_SECONDS: '2' },
      { uid: vaultUid },
    );
    await untilReady({ url }, 15_000);
  }, 30_000);

  afterAll(() =>
    closeAll(
      () => vault?.stop(),
      () => rmSync(dir, { recursive: true, force: true }),
    ),
  );

  it('refuses a key removed with npm run clients within 5 s: the file stays readable to the vault', async () => {
    expect([await answer('strategy-a'), await answer('strategy-b')]).toEqual([404, 404]);
    clients('remove', 'strategy-b');
    expect(statSync(file).mode & 0o777).toBe(0o644);
    await until(async () => (await answer('strategy-b')) === 401, 5000, 'the removed key refused');
    expect(await answer('strategy-a')).toBe(404);
  });

  it('when it cannot read the file (EACCES), says so at every check, then refuses its keys and is not ready; and recovers', async () => {
    chmodSync(file, 0o000);
    await until(() => vault!.stdout.includes('it cannot be read (EACCES)'), 3000, 'the EACCES error line');
    await until(async () => (await fetch(`${url}/health/ready`)).status === 503, 6000, 'readiness to fail');
    expect(await answer('strategy-a')).toBe(503);
    const lines = errorsOf(vault!.stdout.split('\n').filter((line) => line.startsWith('{')));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line.msg).toContain(`clients file ${file} cannot be used: it cannot be read (EACCES);`);

    chmodSync(file, 0o644);
    await until(async () => (await fetch(`${url}/health/ready`)).status === 200, 3000, 'readiness back');
    expect(await answer('strategy-a')).toBe(404);
    expect(await answer('strategy-b')).toBe(401);
    expect(vault!.stdout + vault!.stderr).not.toContain(keys['strategy-a']);
  }, 20_000);
});
