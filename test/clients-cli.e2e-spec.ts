import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakePocketful } from './support/fake-pocketful';
import { TestVault } from './support/test-vault';
import { readClientsFile } from '../src/access/clients-file';

const CLI = join(__dirname, '..', 'dist', 'cli', 'clients.js');

/** `npm run clients -- …` as an operator runs it (npm test builds dist first). */
function clients(dir: string, ...args: string[]) {
  const run = spawnSync(process.execPath, [CLI, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', VAULT_CLIENTS_FILE: join(dir, 'clients.json') },
    encoding: 'utf8',
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('npm run clients', () => {
  let dir: string;
  const file = () => join(dir, 'clients.json');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'token-vault-cli-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('adds a client: prints its key once and writes only its hash, readable by its owner only', () => {
    const added = clients(dir, 'add', 'strategy-a', '--accounts', 'ya0002,YA0003');
    expect(added.code).toBe(0);
    const key = added.stdout.split('\n')[0];
    expect(key).toMatch(/^tvk_[A-Za-z0-9_-]{43}$/);
    const text = readFileSync(file(), 'utf8');
    expect(text).not.toContain(key);
    expect(JSON.parse(text)).toEqual({
      clients: [{ name: 'strategy-a', keySha256: createHash('sha256').update(key).digest('hex'), accounts: ['YA0002', 'YA0003'], admin: false }],
    });
    expect(statSync(file()).mode & 0o777).toBe(0o600);
  });

  it("writes another broker's accounts as broker:ID, which the vault reads back as the same scope", () => {
    expect(clients(dir, 'add', 'kite-desk', '--accounts', 'Zerodha:ab1234,upstox:AB1234,YA0002').code).toBe(0);
    const written = JSON.parse(readFileSync(file(), 'utf8')).clients[0].accounts;
    expect(written).toEqual(['zerodha:AB1234', 'upstox:AB1234', 'YA0002']);
    expect(readClientsFile(file())[0].accounts).toEqual(written);
  });

  it('lists names, accounts and roles, never a hash or key', () => {
    const key = clients(dir, 'add', 'ops', '--accounts', '*', '--admin').stdout.split('\n')[0];
    const list = clients(dir, 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toBe('ops\t*\tadmin\n');
    expect(list.stdout).not.toContain(key);
    expect(list.stdout).not.toMatch(/[0-9a-f]{64}/);
  });

  it('refuses a duplicate name, and rotates and removes by name', () => {
    const first = clients(dir, 'add', 'strategy-a', '--accounts', 'YA0002').stdout.split('\n')[0];
    const duplicate = clients(dir, 'add', 'strategy-a', '--accounts', 'YA0003');
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/exists/);

    const rotated = clients(dir, 'rotate', 'strategy-a');
    const second = rotated.stdout.split('\n')[0];
    expect(second).not.toBe(first);
    const [entry] = JSON.parse(readFileSync(file(), 'utf8')).clients;
    expect(entry).toMatchObject({ name: 'strategy-a', accounts: ['YA0002'], keySha256: createHash('sha256').update(second).digest('hex') });

    expect(clients(dir, 'remove', 'strategy-a').code).toBe(0);
    expect(JSON.parse(readFileSync(file(), 'utf8')).clients).toEqual([]);
  });

  it.each([
    [['add', 'x']],
    [['add', '--accounts', 'YA0002']],
    [['add', 'x', '--accounts', '../etc']],
    [['add', 'x', '--accounts', 'angel:AB1234']],
    [['add', 'x', '--accounts', 'zerodha:']],
    [['add', 'bad name!', '--accounts', 'YA0002']],
    [['remove', 'nobody']],
    [['frobnicate']],
    [['add', 'x', '--accounts', 'YA0002', '--colour']],
  ])('refuses %j with a message and exit code 1, no stack trace', (args) => {
    const run = clients(dir, ...args);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().length).toBeGreaterThan(10);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('makes keys the vault accepts, for the accounts given', async () => {
    const reader = clients(dir, 'add', 'strategy-a', '--accounts', 'YA0002').stdout.split('\n')[0];
    const broker = await new FakePocketful().start();
    const vault = await TestVault.start({ broker, clients: [{ name: 'ops', accounts: ['*'], admin: true }], env: { VAULT_CLIENTS_FILE: file() } });
    try {
      await vault.login('YA0002', broker);
      await vault.login('YA0003', broker);
      const read = (id: string) => vault.fetch(`/v1/tokens/${id}`, { headers: { authorization: `Bearer ${reader}` } });
      expect((await read('YA0002')).status).toBe(200);
      expect((await read('YA0003')).status).toBe(403);
    } finally {
      await vault.close();
      await broker.stop();
    }
  });
});
