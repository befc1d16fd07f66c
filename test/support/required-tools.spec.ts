import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locate, Machine, planInstall, REQUIRED_TOOLS } from './required-tools';

const [redis, chromium, python, openssl] = REQUIRED_TOOLS;
const debianRoot: Machine = { isRoot: true, hasAptGet: true, hasPasswordlessSudo: false, osId: 'debian' };

describe(planInstall.name, () => {
  it('does nothing when every tool is there', () => {
    expect(planInstall([], debianRoot)).toEqual({ kind: 'nothing' });
  });

  it('installs what is missing with apt-get, as root', () => {
    expect(planInstall([redis, chromium], debianRoot)).toEqual({
      kind: 'install',
      packages: ['redis-server', 'chromium'],
      commands: [
        ['apt-get', 'update', '-q'],
        ['apt-get', 'install', '-y', '-q', '--no-install-recommends', 'redis-server', 'chromium'],
      ],
    });
  });

  it('installs every package a tool needs: python3 with pip and venv, beside openssl', () => {
    expect(planInstall([python, openssl], debianRoot)).toMatchObject({ kind: 'install', packages: ['python3', 'python3-pip', 'python3-venv', 'openssl'] });
  });

  it('goes through sudo without a password when not root, and names Ubuntu’s package for Chromium', () => {
    const plan = planInstall([chromium], { isRoot: false, hasAptGet: true, hasPasswordlessSudo: true, osId: 'ubuntu' });
    expect(plan).toMatchObject({ kind: 'install', packages: ['chromium-browser'] });
    expect(plan.kind === 'install' && plan.commands.every((command) => command[0] === 'sudo' && command[1] === '-n')).toBe(true);
  });

  it.each<[string, Machine]>([
    ['not root and no sudo without a password', { isRoot: false, hasAptGet: true, hasPasswordlessSudo: false, osId: 'debian' }],
    ['no apt-get (macOS)', { isRoot: false, hasAptGet: false, hasPasswordlessSudo: true, osId: null }],
  ])('stops with one message naming what is missing and how to install it when %s', (_, machine) => {
    const plan = planInstall([redis, chromium], machine);
    expect(plan.kind).toBe('stop');
    const message = plan.kind === 'stop' ? plan.message : '';
    expect(message).toContain('The tests need redis-server and chromium');
    expect(message).toContain('sudo apt-get install -y redis-server chromium');
    expect(message).toContain('sudo apt-get install -y redis-server chromium-browser');
    expect(message).toContain('brew install redis && brew install --cask chromium');
    expect(message).toContain('REDIS_SERVER_BIN / CHROMIUM_PATH');
  });
});

describe(locate.name, () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'token-vault-tools-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const executable = (name: string) => {
    const path = join(dir, name);
    writeFileSync(path, '#!/bin/sh\n');
    chmodSync(path, 0o755);
    return path;
  };

  it('finds a tool on PATH under any of its names', () => {
    const path = executable('chromium-browser');
    expect(locate(chromium, { PATH: `/nonexistent:${dir}` })).toBe(path);
  });

  it('takes the path a variable gives, and nothing when that path is not executable', () => {
    const path = executable('my-redis');
    expect(locate(redis, { PATH: '', REDIS_SERVER_BIN: path })).toBe(path);
    expect(locate(redis, { PATH: dir, REDIS_SERVER_BIN: join(dir, 'absent') })).toBeNull();
  });

  it('finds nothing on an empty PATH', () => {
    expect(locate(redis, { PATH: dir })).toBeNull();
  });
});
