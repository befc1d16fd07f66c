import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accessModuleFor } from '../../test/support/access-module';
import { clientFor, newServiceKey, writeClientsFile } from './clients-file';
import { ServiceClientRegistry } from './service-client.registry';

describe('ServiceClientRegistry', () => {
  const strategyKey = newServiceKey();
  const opsKey = newServiceKey();
  const strategy = clientFor('strategy-1', strategyKey, ['YA0002'], false);
  const ops = clientFor('ops', opsKey, ['*'], true);
  const registry = new ServiceClientRegistry([strategy, ops]);

  it('knows a client by its key', () => {
    expect(registry.authenticate(strategyKey)).toBe(strategy);
    expect(registry.authenticate(opsKey)).toBe(ops);
  });

  it.each([
    ['another key', () => newServiceKey()],
    ['an empty key', () => ''],
    ['the key with a character changed', () => `${strategyKey.slice(0, -1)}${strategyKey.endsWith('A') ? 'B' : 'A'}`],
    ['the key with a trailing space', () => `${strategyKey} `],
    ['the key in upper case', () => strategyKey.toUpperCase()],
    ['a prefix of the key', () => strategyKey.slice(0, 20)],
    ['the stored hash itself', () => strategy.keySha256],
  ])('refuses %s', (_label, key) => {
    expect(registry.authenticate(key())).toBeNull();
  });

  it('knows nobody when it has no clients', () => {
    expect(new ServiceClientRegistry([]).authenticate(strategyKey)).toBeNull();
  });

  it('with two entries holding the same key, answers the first', () => {
    const twin = { ...clientFor('twin', strategyKey, ['*'], true) };
    expect(new ServiceClientRegistry([strategy, twin]).authenticate(strategyKey)).toBe(strategy);
  });

  it.each(['zz', '0'])('never matches an entry whose keySha256 is the right digest followed by %j', (junk) => {
    // Node's hex decoder drops the junk, so a byte-wise compare alone would match.
    const broken = { ...strategy, keySha256: `${strategy.keySha256}${junk}` };
    expect(new ServiceClientRegistry([broken]).authenticate(strategyKey)).toBeNull();
  });
});

describe('ServiceClientRegistry built by AccessModule', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'token-vault-registry-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function registryFor(env: Record<string, string>, extraKey?: string) {
    const moduleRef = await accessModuleFor(env, extraKey ? [clientFor('demo', extraKey, ['*'], false)] : []);
    return moduleRef.get(ServiceClientRegistry);
  }

  it('reads the clients of VAULT_CLIENTS_FILE and adds the extra ones', async () => {
    const fileKey = newServiceKey();
    const demoKey = newServiceKey();
    const path = join(dir, 'clients.json');
    writeClientsFile(path, [clientFor('from-file', fileKey, ['YA0002'], false)]);
    const registry = await registryFor({ VAULT_CLIENTS_FILE: path }, demoKey);
    expect(registry.authenticate(fileKey)?.name).toBe('from-file');
    expect(registry.authenticate(demoKey)?.name).toBe('demo');
    expect(registry.authenticate(newServiceKey())).toBeNull();
  });

  it('without a clients file knows only the extra clients', async () => {
    const demoKey = newServiceKey();
    const registry = await registryFor({}, demoKey);
    expect(registry.authenticate(demoKey)?.name).toBe('demo');
  });

  it('refuses to start on an unreadable clients file', async () => {
    await expect(registryFor({ VAULT_CLIENTS_FILE: join(dir, 'missing.json') })).rejects.toThrow('it cannot be read (ENOENT)');
  });
});

describe('ServiceClientRegistry.replace', () => {
  it('takes the new clients and forgets the keys it remembered', () => {
    const oldKey = newServiceKey();
    const newKey = newServiceKey();
    const registry = new ServiceClientRegistry([clientFor('strategy-1', oldKey, ['YA0002'], false)]);
    // Remembered now: a second call is answered from the cache.
    expect(registry.authenticate(oldKey)?.name).toBe('strategy-1');
    expect(registry.authenticate(oldKey)?.name).toBe('strategy-1');
    registry.replace([clientFor('strategy-1', newKey, ['YA0002'], false)]);
    expect(registry.authenticate(oldKey)).toBeNull();
    expect(registry.authenticate(newKey)?.name).toBe('strategy-1');
  });

  it('answers a key with the client of the new set, not the remembered one', () => {
    const key = newServiceKey();
    const registry = new ServiceClientRegistry([clientFor('strategy-1', key, ['YA0002'], false)]);
    expect(registry.authenticate(key)?.accounts).toEqual(['YA0002']);
    registry.replace([clientFor('strategy-1', key, ['YA0003'], true)]);
    expect(registry.authenticate(key)).toMatchObject({ accounts: ['YA0003'], admin: true });
  });

  it('tells its listeners after the new clients are in place, until they stop listening', () => {
    const key = newServiceKey();
    const registry = new ServiceClientRegistry([clientFor('strategy-1', key, ['YA0002'], false)]);
    const seen: Array<string | null> = [];
    const stop = registry.onReplace(() => seen.push(registry.authenticate(key)?.name ?? null));
    registry.replace([]);
    registry.replace([clientFor('strategy-2', key, ['YA0002'], false)]);
    stop();
    registry.replace([]);
    expect(seen).toEqual([null, 'strategy-2']);
  });
});

describe('ServiceClientRegistry.withhold', () => {
  it('lets in only the clients kept, even a key it remembered, says why, tells its listeners, and ends at the next replace', () => {
    const fileKey = newServiceKey();
    const demoKey = newServiceKey();
    const fromFile = clientFor('strategy-1', fileKey, ['YA0002'], false);
    const demo = clientFor('demo', demoKey, ['*'], true);
    const registry = new ServiceClientRegistry([fromFile, demo]);
    expect(registry.authenticate(fileKey)).toBe(fromFile);
    expect(registry.withheld).toBeNull();
    const told = jest.fn();
    registry.onReplace(told);

    registry.withhold([demo], 'the clients file cannot be read');
    expect(told).toHaveBeenCalledTimes(1);
    expect(registry.authenticate(fileKey)).toBeNull();
    expect(registry.authenticate(demoKey)).toBe(demo);
    expect(registry.withheld).toBe('the clients file cannot be read');

    registry.replace([fromFile, demo]);
    expect(told).toHaveBeenCalledTimes(2);
    expect(registry.withheld).toBeNull();
    expect(registry.authenticate(fileKey)).toBe(fromFile);
  });
});

describe('ServiceClientRegistry.holderOf', () => {
  const fileKey = newServiceKey();
  const demoKey = newServiceKey();
  const fromFile = clientFor('strategy-1', fileKey, ['YA0002'], false);
  const demo = clientFor('demo', demoKey, ['*'], true);

  it('answers the client of a key, and null for a key nobody holds, while the clients are known', () => {
    const registry = new ServiceClientRegistry([fromFile, demo]);
    expect(registry.holderOf(fileKey)).toBe(fromFile);
    expect(registry.holderOf(newServiceKey())).toBeNull();
  });

  it('while withheld, answers the clients kept and refuses any other key with 503 clients_file_unusable and the reason', () => {
    const registry = new ServiceClientRegistry([fromFile, demo]);
    registry.withhold([demo], 'the clients file cannot be read');
    expect(registry.holderOf(demoKey)).toBe(demo);
    for (const key of [fileKey, newServiceKey()]) {
      const refused = (() => {
        try {
          registry.holderOf(key);
          return null;
        } catch (error) {
          return error;
        }
      })();
      expect(refused).toMatchObject({ code: 'clients_file_unusable', status: 503 });
      expect((refused as Error).message).toContain('the clients file cannot be read');
    }
    registry.replace([fromFile, demo]);
    expect(registry.holderOf(fileKey)).toBe(fromFile);
  });
});
