import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accessModuleFor } from '../../test/support/access-module';
import { ManualClock } from '../../test/support/manual-clock';
import { until } from '../../test/support/until';
import { clientFor, ClientsFileError, newServiceKey, writeClientsFile } from './clients-file';
import { ClientsFileLog, ClientsFileWatcher } from './clients-file.watcher';
import { ServiceClient } from './service-client';
import { ServiceClientRegistry } from './service-client.registry';

class Lines implements ClientsFileLog {
  readonly lines: Array<{ level: 'log' | 'warn' | 'error' | 'debug'; message: string }> = [];
  log(message: string) {
    this.lines.push({ level: 'log', message });
  }
  warn(message: string) {
    this.lines.push({ level: 'warn', message });
  }
  error(message: string) {
    this.lines.push({ level: 'error', message });
  }
  debug(message: string) {
    this.lines.push({ level: 'debug', message });
  }
  /** What an operator sees at the default level. */
  get shown(): string[] {
    return this.lines.filter((line) => line.level !== 'debug').map((line) => `${line.level}: ${line.message}`);
  }
}

const HOUR = 3_600_000;
const GRACE = 60_000;

describe('ClientsFileWatcher', () => {
  let dir: string;
  let path: string;
  let log: Lines;
  let clock: ManualClock;
  const watchers: ClientsFileWatcher[] = [];
  const keys = { a: newServiceKey(), b: newServiceKey(), demo: newServiceKey() };
  const a = clientFor('strategy-a', keys.a, ['YA0002'], false);
  const b = clientFor('strategy-b', keys.b, ['YA0003'], false);
  const demo = clientFor('demo', keys.demo, ['*'], true);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'token-vault-watcher-'));
    path = join(dir, 'clients.json');
    log = new Lines();
    clock = new ManualClock('2026-03-10T10:00:00+05:30');
    writeClientsFile(path, [a, b]);
  });

  afterEach(async () => {
    await Promise.all(watchers.splice(0).map((watcher) => watcher.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  function watch(options: { pollMs?: number; extra?: ServiceClient[]; at?: string } = {}): ClientsFileWatcher {
    const watcher = new ClientsFileWatcher(options.at ?? path, options.extra ?? [], { pollMs: options.pollMs ?? HOUR, log, clock, graceMs: GRACE });
    watchers.push(watcher);
    return watcher;
  }

  const nameOf = (watcher: ClientsFileWatcher, key: string) => watcher.registry.authenticate(key)?.name ?? null;

  it('starts from the file and the clients made in code', () => {
    const watcher = watch({ extra: [demo] });
    expect([keys.a, keys.b, keys.demo].map((key) => nameOf(watcher, key))).toEqual(['strategy-a', 'strategy-b', 'demo']);
  });

  it.each([
    ['missing', () => rmSync(path), 'it cannot be read (ENOENT)'],
    ['not JSON', () => writeFileSync(path, '{"clients": ['), 'it is not valid JSON'],
  ])('refuses to start on a file that is %s', (_label, spoil, problem) => {
    spoil();
    expect(() => watch()).toThrow(ClientsFileError);
    expect(() => watch()).toThrow(problem);
  });

  it('refuses a removed key at the next re-read, though it was remembered, and keeps the clients made in code', async () => {
    const watcher = watch({ extra: [demo] });
    expect(nameOf(watcher, keys.a)).toBe('strategy-a');
    writeClientsFile(path, [b]);
    // Nothing happens between re-reads.
    expect(nameOf(watcher, keys.a)).toBe('strategy-a');
    await watcher.reread('poll');
    expect(nameOf(watcher, keys.a)).toBeNull();
    expect(nameOf(watcher, keys.b)).toBe('strategy-b');
    expect(nameOf(watcher, keys.demo)).toBe('demo');
    expect(log.shown).toEqual([`log: clients file ${path} changed: 1 client; removed strategy-a`]);
  });

  it('takes a rotated key and refuses the old one, with no hash or key in the log', async () => {
    const watcher = watch();
    expect(nameOf(watcher, keys.a)).toBe('strategy-a');
    const rotatedKey = newServiceKey();
    const rotated = clientFor('strategy-a', rotatedKey, ['YA0002'], false);
    writeClientsFile(path, [b, rotated]);
    await watcher.reread('poll');
    expect(nameOf(watcher, keys.a)).toBeNull();
    expect(nameOf(watcher, rotatedKey)).toBe('strategy-a');
    expect(log.shown).toEqual([`log: clients file ${path} changed: 2 clients; new key for strategy-a`]);
    const text = JSON.stringify(log.lines);
    for (const secret of [keys.a, rotatedKey, a.keySha256, rotated.keySha256, b.keySha256]) expect(text).not.toContain(secret);
  });

  it('names what was added, removed, re-keyed and re-scoped', async () => {
    const watcher = watch();
    const c = clientFor('strategy-c', newServiceKey(), ['YA0004'], false);
    writeClientsFile(path, [{ ...a, admin: true }, c]);
    await watcher.reread('poll');
    expect(log.shown).toEqual([
      `log: clients file ${path} changed: 2 clients; added strategy-c; removed strategy-b; new accounts or role for strategy-a`,
    ]);
  });

  it.each([
    ['missing', () => rmSync(path), 'it cannot be read (ENOENT)'],
    ['a directory', () => (rmSync(path), mkdirSync(path)), 'it cannot be read (EISDIR)'],
    ['half-written', (text: string) => writeFileSync(path, text.slice(0, text.length / 2)), 'it is not valid JSON'],
    ['empty', () => writeFileSync(path, ''), 'it is not valid JSON'],
    ['invalid', () => writeFileSync(path, '{"clients": [{"name": "x", "keySha256": "nope", "accounts": ["*"]}]}'), 'clients.0.keySha256'],
  ])('keeps the last good set while the file is %s, within the grace, saying why at every check, and takes the next good file', async (_label, spoil, problem) => {
    const watcher = watch();
    const good = JSON.stringify({ clients: [a, b] });
    spoil(good);
    for (let poll = 0; poll < 3; poll += 1) {
      await watcher.reread('poll');
      clock.advance(1000);
    }
    expect(nameOf(watcher, keys.a)).toBe('strategy-a');
    expect(nameOf(watcher, keys.b)).toBe('strategy-b');
    expect(log.shown).toHaveLength(3);
    log.shown.forEach((line, index) => {
      expect(line.startsWith(`error: clients file ${path} cannot be used: `)).toBe(true);
      expect(line).toContain(problem);
      expect(line.endsWith(`; keeping the 2 clients last read for ${60 - index} s more (CLIENTS_FILE_GRACE_SECONDS), then refusing their keys`)).toBe(true);
    });

    rmSync(path, { recursive: true, force: true });
    writeClientsFile(path, [b]);
    await watcher.reread('poll');
    await watcher.reread('poll');
    expect(nameOf(watcher, keys.a)).toBeNull();
    expect(log.shown.slice(3)).toEqual([`log: clients file ${path} is valid again: 1 client; removed strategy-a`]);
  });

  it('says so when the file comes back unchanged', async () => {
    const watcher = watch();
    renameSync(path, `${path}.away`);
    await watcher.reread('poll');
    renameSync(`${path}.away`, path);
    await watcher.reread('poll');
    expect(log.shown).toEqual([
      `error: clients file ${path} cannot be used: it cannot be read (ENOENT); keeping the 2 clients last read for 60 s more (CLIENTS_FILE_GRACE_SECONDS), then refusing their keys`,
      `log: clients file ${path} is valid again: 2 clients, unchanged`,
    ]);
  });

  it('says at each check the problem that check found, counting the grace from the first', async () => {
    const watcher = watch();
    writeFileSync(path, 'not json');
    await watcher.reread('poll');
    clock.advance(10_000);
    writeFileSync(path, 'still not json');
    await watcher.reread('poll');
    clock.advance(10_000);
    writeFileSync(path, '[]');
    await watcher.reread('poll');
    expect(log.shown.map((line) => line.replace(/^error: clients file \S+ cannot be used: /, ''))).toEqual([
      'it is not valid JSON; keeping the 2 clients last read for 60 s more (CLIENTS_FILE_GRACE_SECONDS), then refusing their keys',
      'it is not valid JSON; keeping the 2 clients last read for 50 s more (CLIENTS_FILE_GRACE_SECONDS), then refusing their keys',
      'it must be a JSON object: {"clients": [...]}; keeping the 2 clients last read for 40 s more (CLIENTS_FILE_GRACE_SECONDS), then refusing their keys',
    ]);
  });

  describe('past the grace', () => {
    const refusedLine = (seconds: number) =>
      `error: clients file ${path} cannot be used: it is not valid JSON; unusable for ${seconds} s, past CLIENTS_FILE_GRACE_SECONDS (60 s): ` +
      'the keys of the 2 clients last read are refused and this replica is not ready, until it can be used';

    it('refuses every key of the file, keeps the clients made in code, tells those holding a key, and says so at every check', async () => {
      const watcher = watch({ extra: [demo] });
      const told = jest.fn();
      watcher.registry.onReplace(told);
      expect(nameOf(watcher, keys.a)).toBe('strategy-a');
      writeFileSync(path, '{"clients": [');
      await watcher.reread('poll');
      clock.advance(GRACE - 1);
      await watcher.reread('poll');
      expect(nameOf(watcher, keys.a)).toBe('strategy-a');
      expect(watcher.registry.withheld).toBeNull();
      expect(told).not.toHaveBeenCalled();

      clock.advance(1);
      await watcher.reread('poll');
      expect(told).toHaveBeenCalledTimes(1);
      expect([keys.a, keys.b].map((key) => nameOf(watcher, key))).toEqual([null, null]);
      expect(nameOf(watcher, keys.demo)).toBe('demo');
      expect(watcher.registry.withheld).toMatch(/cannot use its clients file.*no service key is accepted/);
      expect(watcher.registry.withheld).not.toContain(path);
      clock.advance(1000);
      await watcher.reread('poll');
      expect(told).toHaveBeenCalledTimes(1);
      expect(log.shown.slice(2)).toEqual([refusedLine(60), refusedLine(61)]);
    });

    it('reports it in health(): the last usable read, the problem, since when, and that the keys are refused', async () => {
      const watcher = watch();
      expect(watcher.health()).toMatchObject({ lastReadAt: clock.now(), problem: null });
      clock.advance(5000);
      await watcher.reread('poll');
      expect(watcher.health()).toEqual({ path, clients: 2, lastReadAt: clock.now(), problem: null, failingSince: null, graceMs: GRACE, refusing: false });
      const lastRead = clock.now();
      writeFileSync(path, 'nope');
      clock.advance(1000);
      await watcher.reread('poll');
      const since = clock.now();
      expect(watcher.health()).toEqual({ path, clients: 2, lastReadAt: lastRead, problem: 'it is not valid JSON', failingSince: since, graceMs: GRACE, refusing: false });
      clock.advance(GRACE);
      await watcher.reread('poll');
      expect(watcher.health()).toMatchObject({ lastReadAt: lastRead, failingSince: since, refusing: true });
    });

    it('takes its keys back at the first check that can use the file, even unchanged, and says so', async () => {
      const watcher = watch();
      renameSync(path, `${path}.away`);
      await watcher.reread('poll');
      clock.advance(GRACE);
      await watcher.reread('poll');
      expect(nameOf(watcher, keys.a)).toBeNull();
      renameSync(`${path}.away`, path);
      await watcher.reread('poll');
      expect(nameOf(watcher, keys.a)).toBe('strategy-a');
      expect(watcher.registry.withheld).toBeNull();
      expect(watcher.health()).toMatchObject({ problem: null, failingSince: null, refusing: false, lastReadAt: clock.now() });
      expect(log.shown.at(-1)).toBe(`log: clients file ${path} is valid again: 2 clients, unchanged; its keys are accepted again`);
    });

    it('with a grace of 0, refuses at the first check that cannot use the file', async () => {
      const watcher = new ClientsFileWatcher(path, [], { pollMs: HOUR, log, clock, graceMs: 0 });
      watchers.push(watcher);
      writeFileSync(path, 'nope');
      await watcher.reread('poll');
      expect(nameOf(watcher, keys.a)).toBeNull();
      expect(watcher.health()?.refusing).toBe(true);
    });
  });

  it('keeps remembered keys when the file is rewritten with the same clients', async () => {
    const watcher = watch();
    expect(nameOf(watcher, keys.a)).toBe('strategy-a');
    const replace = jest.spyOn(watcher.registry, 'replace');
    writeFileSync(path, JSON.stringify({ clients: [a, b] }));
    await watcher.reread('poll');
    expect(replace).not.toHaveBeenCalled();
    expect(log.shown).toEqual([]);
  });

  it('polls by itself, and stops polling when stopped', async () => {
    const watcher = watch({ pollMs: 20 });
    watcher.start();
    writeClientsFile(path, [b]);
    await until(() => nameOf(watcher, keys.a) === null, 2000, 'strategy-a refused');
    await watcher.stop();
    writeClientsFile(path, [a]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(nameOf(watcher, keys.a)).toBeNull();
    expect(nameOf(watcher, keys.b)).toBe('strategy-b');
  });

  it('follows a Kubernetes ConfigMap update: the ..data symlink swapped to a new directory', async () => {
    const version = (name: string, clients: ServiceClient[]) => {
      mkdirSync(join(dir, name));
      writeClientsFile(join(dir, name, 'clients.json'), clients);
      symlinkSync(name, join(dir, '..data_tmp'));
      renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    };
    version('..v1', [a, b]);
    symlinkSync('..data/clients.json', join(dir, 'mounted.json'));
    const watcher = watch({ pollMs: 20, at: join(dir, 'mounted.json') });
    watcher.start();
    expect(nameOf(watcher, keys.a)).toBe('strategy-a');
    version('..v2', [b]);
    await until(() => nameOf(watcher, keys.a) === null, 2000, 'strategy-a refused');
    expect(nameOf(watcher, keys.b)).toBe('strategy-b');
  });

  // /proc/self/fd/N reaches an open file after its name is gone, as a bind mount of the file does after a rename.
  (existsSync('/proc/self/fd') ? it : it.skip)('says once that the file it sees was replaced at its source, as a single-file bind mount does', async () => {
    const fd = openSync(path, 'r');
    try {
      const watcher = watch({ at: `/proc/self/fd/${fd}` });
      await watcher.reread('poll');
      expect(log.shown).toEqual([]);
      writeClientsFile(path, [b]);
      await watcher.reread('poll');
      await watcher.reread('poll');
      expect(log.shown).toEqual([
        `warn: clients file /proc/self/fd/${fd} was replaced or deleted at its source, but this process still sees the old copy, ` +
          `so changes to it (removed or rotated keys) are not seen here: mount the file's directory rather than the file`,
      ]);
      expect(nameOf(watcher, keys.a)).toBe('strategy-a');
    } finally {
      closeSync(fd);
    }
  });

  it('re-reads at once on SIGHUP, however long the poll interval, and says so even when nothing changed', async () => {
    const before = process.listenerCount('SIGHUP');
    const watcher = watch({ pollMs: HOUR });
    watcher.start();
    expect(process.listenerCount('SIGHUP')).toBe(before + 1);
    process.emit('SIGHUP', 'SIGHUP');
    await until(() => log.shown.length === 2, 2000, 'the SIGHUP re-read logged');
    expect(log.shown[1]).toBe(`log: clients file ${path} re-read on SIGHUP: 2 clients, unchanged`);

    writeClientsFile(path, [b]);
    process.emit('SIGHUP', 'SIGHUP');
    await until(() => nameOf(watcher, keys.a) === null, 2000, 'strategy-a refused');
    expect(log.shown[2]).toBe(`log: clients file ${path} re-read on SIGHUP: 1 client; removed strategy-a`);

    // A problem is said at every check, polls and SIGHUP alike.
    writeFileSync(path, 'nope');
    await watcher.reread('poll');
    process.emit('SIGHUP', 'SIGHUP');
    await until(() => log.shown.length === 5, 2000, 'the SIGHUP re-read logged');
    expect(log.shown[4]).toBe(
      `error: clients file ${path} cannot be used (re-read on SIGHUP): it is not valid JSON; ` +
        'keeping the 1 client last read for 60 s more (CLIENTS_FILE_GRACE_SECONDS), then refusing their keys',
    );

    await watcher.stop();
    expect(process.listenerCount('SIGHUP')).toBe(before);
  });

  it('without a file, watches nothing and leaves SIGHUP alone', async () => {
    const before = process.listenerCount('SIGHUP');
    const watcher = new ClientsFileWatcher(null, [demo], { log });
    watcher.start();
    expect(process.listenerCount('SIGHUP')).toBe(before);
    expect(nameOf(watcher, keys.demo)).toBe('demo');
    await watcher.stop();
    expect(log.lines).toEqual([]);
  });
});

describe('AccessModule', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'token-vault-access-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('watches the clients file from init to close, keeping its extra clients', async () => {
    const path = join(dir, 'clients.json');
    const fileKey = newServiceKey();
    const demoKey = newServiceKey();
    writeClientsFile(path, [clientFor('from-file', fileKey, ['YA0002'], false)]);
    const moduleRef = await accessModuleFor({ VAULT_CLIENTS_FILE: path }, [clientFor('demo', demoKey, ['*'], true)]);
    const before = process.listenerCount('SIGHUP');
    try {
      await moduleRef.init();
      expect(process.listenerCount('SIGHUP')).toBe(before + 1);
      const registry = moduleRef.get(ServiceClientRegistry);
      expect(registry.authenticate(fileKey)?.name).toBe('from-file');
      writeClientsFile(path, []);
      process.emit('SIGHUP', 'SIGHUP');
      await until(() => registry.authenticate(fileKey) === null, 2000, 'the removed key refused');
      expect(registry.authenticate(demoKey)?.name).toBe('demo');
    } finally {
      await moduleRef.close();
    }
    expect(process.listenerCount('SIGHUP')).toBe(before);
  });
});
