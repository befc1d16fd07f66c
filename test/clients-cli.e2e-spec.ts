import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakePocketful } from './support/fake-pocketful';
import { copyInto } from './support/spawned-vault';
import { TestVault } from './support/test-vault';
import { readClientsFile } from '../src/access/clients-file';

const CLI = join(__dirname, '..', 'dist', 'cli', 'clients.js');

/** `npm run clients -- …` as an operator runs it (npm test builds dist first); as another user with `uid`. */
function clientsAs(uid: number | undefined, dir: string, ...args: string[]) {
  // Another user runs a copy of the bundle in a folder of its own: the checkout's may be closed to it.
  const own = uid === undefined ? null : mkdtempSync(join(tmpdir(), 'token-vault-cli-bin-'));
  try {
    if (own !== null) chownSync(own, uid!, uid!);
    const run = spawnSync(process.execPath, [own === null ? CLI : copyInto(own, CLI, uid!), ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', VAULT_CLIENTS_FILE: join(dir, 'clients.json') },
      encoding: 'utf8',
      ...(uid === undefined ? {} : { uid, gid: uid }),
    });
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
  } finally {
    if (own !== null) rmSync(own, { recursive: true, force: true });
  }
}

const clients = (dir: string, ...args: string[]) => clientsAs(undefined, dir, ...args);
const KEY_LINE = /^tvk_[A-Za-z0-9_-]{43}\n$/;
const asRoot = process.getuid?.() === 0 ? it : it.skip;

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
    expect(added.stderr).not.toContain(key);
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

  describe('prints on stdout only what a script keeps, everything else on stderr', () => {
    it('add and rotate: the key alone on stdout (KEY=$(…) holds just the key), the note about it on stderr', () => {
      const added = clients(dir, 'add', 'strategy-a', '--accounts', 'YA0002');
      expect(added.stdout).toMatch(KEY_LINE);
      expect(added.stderr).toBe(
        `(the key for strategy-a: give it to the service now; only its hash was written to ${file()}, it cannot be shown again)\n`,
      );
      const rotated = clients(dir, 'rotate', 'strategy-a');
      expect(rotated.stdout).toMatch(KEY_LINE);
      expect(rotated.stdout).not.toBe(added.stdout);
      expect(rotated.stderr).toMatch(/^\(the key for strategy-a: /);
    });

    it('list: one line a client on stdout; that there are none, on stderr', () => {
      const none = clients(dir, 'list');
      expect(none).toEqual({ code: 0, stdout: '', stderr: `no clients in ${file()}\n` });
      clients(dir, 'add', 'strategy-a', '--accounts', 'YA0002');
      expect(clients(dir, 'list')).toEqual({ code: 0, stdout: 'strategy-a\tYA0002\n', stderr: '' });
    });

    it('remove: nothing on stdout, what it did on stderr', () => {
      clients(dir, 'add', 'strategy-a', '--accounts', 'YA0002');
      const removed = clients(dir, 'remove', 'strategy-a');
      expect(removed.code).toBe(0);
      expect(removed.stdout).toBe('');
      expect(removed.stderr).toMatch(/^removed strategy-a; each vault refuses its key within a few seconds/);
    });

    it('help: the usage on stdout when asked for; on stderr, with exit code 1, when no command is given', () => {
      const help = clients(dir, 'help');
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('npm run clients -- add NAME');
      expect(help.stderr).toBe('');
      const bare = clients(dir);
      expect(bare.code).toBe(1);
      expect(bare.stdout).toBe('');
      expect(bare.stderr).toBe(help.stdout);
    });

    it('a refusal: nothing on stdout', () => {
      const refused = clients(dir, 'remove', 'nobody');
      expect(refused).toMatchObject({ code: 1, stdout: '' });
      expect(refused.stderr).toContain('no client named nobody');
    });
  });

  describe("keeps the file's mode and owner when it rewrites it", () => {
    it('a file made group- and world-readable stays so after remove, add and rotate', () => {
      clients(dir, 'add', 'strategy-a', '--accounts', 'YA0002');
      clients(dir, 'add', 'strategy-b', '--accounts', 'YA0003');
      chmodSync(file(), 0o644);
      expect(clients(dir, 'remove', 'strategy-a').code).toBe(0);
      expect(statSync(file()).mode & 0o7777).toBe(0o644);
      expect(clients(dir, 'add', 'strategy-c', '--accounts', 'YA0004').code).toBe(0);
      expect(clients(dir, 'rotate', 'strategy-b').code).toBe(0);
      expect(statSync(file()).mode & 0o7777).toBe(0o644);
      expect(readClientsFile(file()).map((client) => client.name)).toEqual(['strategy-c', 'strategy-b']);
    });

    asRoot('run as root on a file given to the vaults\' user (chown 1000), the file stays theirs', () => {
      clients(dir, 'add', 'strategy-a', '--accounts', 'YA0002');
      chownSync(file(), 1000, 1000);
      expect(clients(dir, 'remove', 'strategy-a').code).toBe(0);
      const after = statSync(file());
      expect([after.uid, after.gid, after.mode & 0o7777]).toEqual([1000, 1000, 0o600]);
    });

    asRoot('run as a user who cannot keep its owner, changes nothing and says why', () => {
      clients(dir, 'add', 'strategy-a', '--accounts', 'YA0002');
      chmodSync(file(), 0o644);
      // The folder lets the other user make a file beside it: only the owner stands in the way.
      chmodSync(dir, 0o777);
      const before = readFileSync(file(), 'utf8');
      const run = clientsAs(1000, dir, 'remove', 'strategy-a');
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(
        `the clients file ${file()} was not written: its owner (uid 0, gid 0) cannot be kept (EPERM): run the command as that user or as root; nothing was changed\n`,
      );
      expect(readFileSync(file(), 'utf8')).toBe(before);
      expect(statSync(file()).uid).toBe(0);
      expect(readdirSync(dir)).toEqual(['clients.json']);
    });
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
