import { HealthIndicatorService } from '@nestjs/terminus';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../test/support/manual-clock';
import { clientFor, newServiceKey, writeClientsFile } from '../access/clients-file';
import { ClientsFileLog, ClientsFileWatcher } from '../access/clients-file.watcher';
import { ClientsFileHealthIndicator } from './clients-file.health';

const quiet: ClientsFileLog = { log: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

describe(ClientsFileHealthIndicator.name, () => {
  let dir: string;
  let path: string;
  let clock: ManualClock;
  let watcher: ClientsFileWatcher;
  let sut: ClientsFileHealthIndicator;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'token-vault-clients-health-'));
    path = join(dir, 'clients.json');
    writeClientsFile(path, [clientFor('strategy-a', newServiceKey(), ['YA0002'], false)]);
    clock = new ManualClock('2026-03-10T10:00:00+05:30');
    watcher = new ClientsFileWatcher(path, [], { log: quiet, clock, graceMs: 60_000 });
    sut = new ClientsFileHealthIndicator(watcher, new HealthIndicatorService());
  });

  afterEach(async () => {
    await watcher.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is up while the file can be used, with its clients and the last read, and no path', () => {
    expect(sut.check()).toEqual({ clientsFile: { status: 'up', clients: 1, lastReadAt: '2026-03-10T10:00:00+05:30' } });
  });

  it('stays up within the grace, saying why the file cannot be used and since when', async () => {
    writeFileSync(path, '{"clients": [');
    clock.advance(1000);
    await watcher.reread('poll');
    clock.advance(58_000);
    await watcher.reread('poll');
    expect(sut.check()).toEqual({
      clientsFile: {
        status: 'up',
        clients: 1,
        lastReadAt: '2026-03-10T10:00:00+05:30',
        failingSince: '2026-03-10T10:00:01+05:30',
        message: 'it is not valid JSON',
      },
    });
  });

  it('is down from the grace on, and up again once the file can be used', async () => {
    writeFileSync(path, '{"clients": [');
    await watcher.reread('poll');
    clock.advance(60_000);
    await watcher.reread('poll');
    expect(sut.check()).toMatchObject({ clientsFile: { status: 'down', message: 'it is not valid JSON' } });
    writeClientsFile(path, []);
    await watcher.reread('poll');
    expect(sut.check()).toEqual({ clientsFile: { status: 'up', clients: 0, lastReadAt: '2026-03-10T10:01:00+05:30' } });
  });

  it('is up, saying nothing, without a clients file', () => {
    const none = new ClientsFileHealthIndicator(new ClientsFileWatcher(null, [], { log: quiet }), new HealthIndicatorService());
    expect(none.check()).toEqual({ clientsFile: { status: 'up' } });
  });
});
