import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locate, Machine, planInstall, processesRunning, REQUIRED_TOOLS } from './required-tools';

const [redis, chromium, python, openssl, promtool] = REQUIRED_TOOLS;
const debianRoot: Machine = { isRoot: true, hasAptGet: true, hasPasswordlessSudo: false, osId: 'debian', hasSystemd: false };

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
    const plan = planInstall([chromium], { isRoot: false, hasAptGet: true, hasPasswordlessSudo: true, osId: 'ubuntu', hasSystemd: true });
    expect(plan).toMatchObject({ kind: 'install', packages: ['chromium-browser'] });
    expect(plan.kind === 'install' && plan.commands.every((command) => command[0] === 'sudo' && command[1] === '-n')).toBe(true);
  });

  it('installs promtool with the Prometheus package, then stops its server and keeps it from starting at boot, without systemd', () => {
    expect(planInstall([promtool], debianRoot)).toEqual({
      kind: 'install',
      packages: ['prometheus'],
      commands: [
        ['apt-get', 'update', '-q'],
        ['apt-get', 'install', '-y', '-q', '--no-install-recommends', 'prometheus'],
        ['update-rc.d', 'prometheus', 'disable'],
        ['/etc/init.d/prometheus', 'stop'],
      ],
    });
  });

  it('stops and disables the Prometheus server through systemd where systemd runs, through sudo when not root', () => {
    const plan = planInstall([redis, promtool], { isRoot: false, hasAptGet: true, hasPasswordlessSudo: true, osId: 'debian', hasSystemd: true });
    expect(plan).toMatchObject({ kind: 'install', packages: ['redis-server', 'prometheus'] });
    expect(plan.kind === 'install' && plan.commands.slice(2)).toEqual([['sudo', '-n', 'systemctl', 'disable', '--now', 'prometheus.service']]);
  });

  it.each<[string, Machine]>([
    ['not root and no sudo without a password', { isRoot: false, hasAptGet: true, hasPasswordlessSudo: false, osId: 'debian', hasSystemd: false }],
    ['no apt-get (macOS)', { isRoot: false, hasAptGet: false, hasPasswordlessSudo: true, osId: null, hasSystemd: false }],
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

describe(processesRunning.name, () => {
  let proc: string;
  beforeEach(() => {
    proc = mkdtempSync(join(tmpdir(), 'token-vault-proc-'));
  });
  afterEach(() => rmSync(proc, { recursive: true, force: true }));

  const listed = (pid: number, argv: string[]) => {
    mkdirSync(join(proc, String(pid)));
    writeFileSync(join(proc, String(pid), 'cmdline'), `${argv.join('\0')}\0`);
  };

  it('names the processes whose command line starts with the executable, and no other', () => {
    listed(41, ['/usr/bin/prometheus', '--config.file=/etc/prometheus/prometheus.yml']);
    listed(42, ['/usr/bin/promtool', 'check', 'metrics']);
    listed(43, ['/bin/sh', '-c', '/usr/bin/prometheus']);
    mkdirSync(join(proc, 'self'));
    expect(processesRunning('/usr/bin/prometheus', proc)).toEqual([41]);
    expect(processesRunning('/usr/bin/prometheus', join(proc, 'absent'))).toEqual([]);
  });

  it('finds a real process by its executable in /proc, and none once it has ended', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      expect(processesRunning(process.execPath)).toContain(child.pid);
    } finally {
      child.kill();
      await new Promise((resolve) => child.once('exit', resolve));
    }
    expect(processesRunning(process.execPath)).not.toContain(child.pid);
  });
});
