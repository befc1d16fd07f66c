import { chmodSync, chownSync, closeSync, lstatSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Accounts } from '../brokers/accounts';
import { sha256Hex } from '../crypto/digest';
import { clientFor, ClientsFileError, ClientsFileWriteError, newServiceKey, parseClients, readClientsFile, writeClientsFile } from './clients-file';
import { ServiceClient } from './service-client';

const HASH_A = sha256Hex('key-a');
const HASH_B = sha256Hex('key-b');

function problemsOf(json: string): string[] {
  try {
    parseClients(json, '/etc/clients.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ClientsFileError);
    const message = (error as Error).message;
    expect(message.split('\n')[0]).toBe('the clients file /etc/clients.json is not valid:');
    return message
      .split('\n')
      .slice(1)
      .map((line) => line.replace(/^ {2}- /, ''));
  }
  throw new Error('expected a ClientsFileError, but the file was accepted');
}

describe('parseClients', () => {
  it('reads a valid file, with admin defaulting to false', () => {
    const clients = parseClients(
      JSON.stringify({
        clients: [
          { name: 'strategy-1', keySha256: HASH_A, accounts: ['YA0002', 'YA0003'] },
          { name: 'ops.tool_2', keySha256: HASH_B, accounts: ['*'], admin: true },
        ],
      }),
      'clients.json',
    );
    expect(clients).toEqual([
      { name: 'strategy-1', keySha256: HASH_A, accounts: ['YA0002', 'YA0003'], admin: false },
      { name: 'ops.tool_2', keySha256: HASH_B, accounts: ['*'], admin: true },
    ]);
  });

  it('accepts an empty client list', () => {
    expect(parseClients('{"clients":[]}', 'clients.json')).toEqual([]);
  });

  it('keeps only the fields it knows', () => {
    const [client] = parseClients(
      JSON.stringify({ clients: [{ name: 'a', keySha256: HASH_A, accounts: ['*'], key: 'tvk_plain' }] }),
      'clients.json',
    );
    expect(Object.keys(client).sort()).toEqual(['accounts', 'admin', 'keySha256', 'name']);
  });

  it('says when the text is not JSON', () => {
    expect(problemsOf('{"clients": [')).toEqual(['it is not valid JSON']);
  });

  it.each(['null', '[]', '"clients"', '42', 'true'])('refuses %s at the top level with a ClientsFileError', (json) => {
    expect(problemsOf(json)).toEqual(['it must be a JSON object: {"clients": [...]}']);
  });

  it.each(['{}', '{"clients":null}', '{"clients":"x"}', '{"clients":{}}'])(
    'refuses %s: clients must be an array (a ClientsFileError, not a TypeError)',
    (json) => {
      expect(problemsOf(json)).toContain('clients: clients must be an array');
    },
  );

  it.each(['null', '1', '"a"'])('refuses a client entry that is %s', (entry) => {
    expect(problemsOf(`{"clients":[${entry}]}`)).toEqual([
      'clients.0: each value in nested property clients must be either object or array',
    ]);
  });

  it('lists every problem of every entry at once', () => {
    const problems = problemsOf(
      JSON.stringify({
        clients: [
          { name: '../evil', keySha256: HASH_A, accounts: ['YA0002'] },
          { name: 'b', keySha256: HASH_A.toUpperCase(), accounts: [] },
          { name: 'c', keySha256: 'abc', accounts: ['ya0002', 'YA:1'], admin: 'yes' },
        ],
      }),
    );
    expect(problems).toEqual([
      'clients.0.name: name must be 1 to 64 letters, digits, ".", "-" or "_"',
      'clients.1.keySha256: keySha256 must be 64 lower-case hex digits (the SHA-256 of the key)',
      'clients.1.accounts: accounts must list at least one account id, or "*"',
      'clients.2.keySha256: keySha256 must be 64 lower-case hex digits (the SHA-256 of the key)',
      'clients.2.accounts: accounts must hold upper-case account ids (bare for the default broker, or as zerodha:AB1234) or "*"',
      'clients.2.admin: admin must be a boolean value',
    ]);
  });

  it.each([
    ['too short', HASH_A.slice(1)],
    ['too long', `${HASH_A}0`],
    ['upper case', HASH_A.toUpperCase()],
    ['not hex', 'g'.repeat(64)],
    ['the key itself', 'tvk_abc'],
  ])('refuses a keySha256 that is %s', (_label, keySha256) => {
    expect(problemsOf(JSON.stringify({ clients: [{ name: 'a', keySha256, accounts: ['*'] }] }))).toEqual([
      'clients.0.keySha256: keySha256 must be 64 lower-case hex digits (the SHA-256 of the key)',
    ]);
  });

  it('does not print a bad keySha256 (it may be a key pasted by mistake)', () => {
    const pasted = newServiceKey();
    const text = problemsOf(JSON.stringify({ clients: [{ name: 'a', keySha256: pasted, accounts: ['*'] }] })).join('\n');
    expect(text).not.toContain(pasted);
  });

  it('refuses a name used twice, naming it once', () => {
    const problems = problemsOf(
      JSON.stringify({
        clients: [
          { name: 'dup', keySha256: HASH_A, accounts: ['*'] },
          { name: 'dup', keySha256: HASH_B, accounts: ['*'] },
          { name: 'dup', keySha256: sha256Hex('c'), accounts: ['*'] },
          { name: 'other', keySha256: sha256Hex('d'), accounts: ['*'] },
        ],
      }),
    );
    expect(problems).toEqual(['the name dup is used more than once']);
  });

  it('reports duplicates alongside other problems', () => {
    const problems = problemsOf(
      JSON.stringify({
        clients: [
          { name: 'dup', keySha256: HASH_A, accounts: ['*'] },
          { name: 'dup', keySha256: 'bad', accounts: ['*'] },
        ],
      }),
    );
    expect(problems).toEqual([
      'clients.1.keySha256: keySha256 must be 64 lower-case hex digits (the SHA-256 of the key)',
      'the name dup is used more than once',
    ]);
  });

  it('accepts "*" as an account, and "*" mixed with ids', () => {
    const [client] = parseClients(
      JSON.stringify({ clients: [{ name: 'a', keySha256: HASH_A, accounts: ['*', 'YA0002'] }] }),
      'clients.json',
    );
    expect(client.accounts).toEqual(['*', 'YA0002']);
  });

  it('writes scopes canonically: the default broker\'s bare, any other broker\'s as broker:ID', () => {
    const file = JSON.stringify({ clients: [{ name: 'a', keySha256: HASH_A, accounts: ['pocketful:YA0002', 'zerodha:AB1234', 'YA0003', 'dhan:1000000001'] }] });
    expect(parseClients(file, 'clients.json')[0].accounts).toEqual(['YA0002', 'zerodha:AB1234', 'YA0003', 'dhan:1000000001']);
    expect(parseClients(file, 'clients.json', new Accounts('zerodha'))[0].accounts).toEqual(['pocketful:YA0002', 'AB1234', 'YA0003', 'dhan:1000000001']);
  });

  it.each(['**', 'YA*', '', ' YA0002', '../x', 'angel:AB1234', 'zerodha:', 'Zerodha:AB1234'])('refuses the account %j', (account) => {
    expect(problemsOf(JSON.stringify({ clients: [{ name: 'a', keySha256: HASH_A, accounts: [account] }] }))).toEqual([
      'clients.0.accounts: accounts must hold upper-case account ids (bare for the default broker, or as zerodha:AB1234) or "*"',
    ]);
  });
});

describe('newServiceKey', () => {
  it('is tvk_ and 32 random bytes in base64url', () => {
    const key = newServiceKey();
    expect(key).toMatch(/^tvk_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(key.slice(4), 'base64url')).toHaveLength(32);
  });

  it('is different every time', () => {
    const keys = new Set(Array.from({ length: 500 }, () => newServiceKey()));
    expect(keys.size).toBe(500);
  });

  it('passes the bearer-token header shape the guard accepts', () => {
    expect(`Bearer ${newServiceKey()}`).toMatch(/^Bearer ([\x21-\x7e]{1,512})$/);
  });
});

describe('clientFor', () => {
  it('keeps the SHA-256 of the key, never the key', () => {
    const key = newServiceKey();
    const client = clientFor('strategy-1', key, ['YA0002'], false);
    expect(client).toEqual({ name: 'strategy-1', keySha256: sha256Hex(key), accounts: ['YA0002'], admin: false });
    expect(JSON.stringify(client)).not.toContain(key);
    expect(JSON.stringify(client)).not.toContain(key.slice(4));
  });
});

describe('writeClientsFile / readClientsFile', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'token-vault-clients-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const clients: ServiceClient[] = [
    clientFor('strategy-1', newServiceKey(), ['YA0002'], false),
    clientFor('ops', newServiceKey(), ['*'], true),
  ];

  it('writes what it reads back', () => {
    const path = join(dir, 'clients.json');
    writeClientsFile(path, clients);
    expect(readClientsFile(path)).toEqual(clients);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ clients });
  });

  it('writes the file with mode 0600', () => {
    const path = join(dir, 'clients.json');
    writeClientsFile(path, clients);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('replaces an existing file by rename, keeping its mode: a new inode, no temporary file left', () => {
    const path = join(dir, 'clients.json');
    writeFileSync(path, '{"clients":[]}\n');
    chmodSync(path, 0o644);
    const before = statSync(path);
    writeClientsFile(path, clients);
    const after = statSync(path);
    expect(after.ino).not.toBe(before.ino);
    expect(after.mode & 0o7777).toBe(0o644);
    expect(readdirSync(dir)).toEqual(['clients.json']);
    expect(readClientsFile(path)).toEqual(clients);
  });

  it.each([
    ['0600', 0o600],
    ['0640', 0o640],
    ['0440', 0o440],
  ])('keeps mode %s, however often it is rewritten', (_label, mode) => {
    const path = join(dir, 'clients.json');
    writeClientsFile(path, []);
    chmodSync(path, mode);
    writeClientsFile(path, clients);
    writeClientsFile(path, clients.slice(1));
    expect(statSync(path).mode & 0o7777).toBe(mode);
    expect(readClientsFile(path)).toEqual(clients.slice(1));
  });

  // Only root may give a file to another user: as root, a file chowned to someone else stays theirs.
  (process.getuid?.() === 0 ? it : it.skip)("keeps the owner and group of a file that belongs to another user (as root)", () => {
    const path = join(dir, 'clients.json');
    writeClientsFile(path, []);
    chownSync(path, 1000, 1234);
    chmodSync(path, 0o640);
    writeClientsFile(path, clients);
    const after = statSync(path);
    expect([after.uid, after.gid, after.mode & 0o7777]).toEqual([1000, 1234, 0o640]);
    expect(readClientsFile(path)).toEqual(clients);
  });

  it('keeps its own owner and group', () => {
    const path = join(dir, 'clients.json');
    writeClientsFile(path, []);
    const before = statSync(path);
    writeClientsFile(path, clients);
    const after = statSync(path);
    expect([after.uid, after.gid]).toEqual([before.uid, before.gid]);
  });

  it('through a symbolic link, replaces the file it names and leaves the link', () => {
    const real = join(dir, 'real.json');
    const link = join(dir, 'clients.json');
    writeClientsFile(real, []);
    chmodSync(real, 0o640);
    symlinkSync('real.json', link);
    writeClientsFile(link, clients);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(statSync(real).mode & 0o7777).toBe(0o640);
    expect(readClientsFile(real)).toEqual(clients);
    expect(readdirSync(dir).sort()).toEqual(['clients.json', 'real.json']);
  });

  it('writing where no file can be made is a ClientsFileWriteError naming the path and the errno code, and makes nothing', () => {
    const path = join(dir, 'missing-folder', 'clients.json');
    expect(() => writeClientsFile(path, clients)).toThrow(ClientsFileWriteError);
    expect(() => writeClientsFile(path, clients)).toThrow(`the clients file ${path} was not written: no file can be made beside it (ENOENT); nothing was changed`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a reader that opened the old file still reads the old file whole', () => {
    const path = join(dir, 'clients.json');
    const old = '{"clients":[]}\n';
    writeFileSync(path, old);
    const fd = openSync(path, 'r');
    try {
      writeClientsFile(path, clients);
      const buffer = Buffer.alloc(1024);
      const read = readSync(fd, buffer, 0, buffer.length, 0);
      expect(buffer.subarray(0, read).toString('utf8')).toBe(old);
    } finally {
      closeSync(fd);
    }
  });

  it('reading a missing file is a ClientsFileError naming the path and the errno code', () => {
    const path = join(dir, 'missing.json');
    expect(() => readClientsFile(path)).toThrow(ClientsFileError);
    expect(() => readClientsFile(path)).toThrow(`the clients file ${path} is not valid:\n  - it cannot be read (ENOENT)`);
  });

  it('reading an invalid file is a ClientsFileError naming the path', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, '{"clients":[{"name":"a"}]}');
    expect(() => readClientsFile(path)).toThrow(`the clients file ${path} is not valid:`);
  });
});
