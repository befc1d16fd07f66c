import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A program the tests run for real, found on PATH or where a variable points. */
export interface RequiredTool {
  name: string;
  /** Overrides the search with a path. */
  variable: string;
  candidates: string[];
  /** The packages that install it, separated by spaces. */
  debian: string;
  ubuntu: string;
  macos: string;
  /**
   * A service the package also installs, and starts on a machine that lets packages start services: the tests want
   * only the tool, so it is stopped and kept from starting at boot as soon as it is installed.
   */
  service?: { name: string; executable: string };
}

export const REQUIRED_TOOLS: RequiredTool[] = [
  { name: 'redis-server', variable: 'REDIS_SERVER_BIN', candidates: ['redis-server'], debian: 'redis-server', ubuntu: 'redis-server', macos: 'brew install redis' },
  {
    name: 'chromium',
    variable: 'CHROMIUM_PATH',
    candidates: ['chromium', 'chromium-browser', '/Applications/Chromium.app/Contents/MacOS/Chromium'],
    debian: 'chromium',
    ubuntu: 'chromium-browser',
    macos: 'brew install --cask chromium',
  },
  // The Python client library is tested by its own unittest suite (3.9 or newer), built with pip, installed into venvs.
  {
    name: 'python3',
    variable: 'PYTHON3_BIN',
    candidates: ['python3'],
    debian: 'python3 python3-pip python3-venv',
    ubuntu: 'python3 python3-pip python3-venv',
    macos: 'brew install python',
  },
  // The Python client's tests make a CA of their own, as a desk's internal CA, to reach the vault over TLS.
  { name: 'openssl', variable: 'OPENSSL_BIN', candidates: ['openssl'], debian: 'openssl', ubuntu: 'openssl', macos: 'brew install openssl' },
  // Checks the scrape's names and the alerting rules (test/monitoring.e2e-spec.ts, test/static/prometheus-rules.spec.ts).
  // Debian and Ubuntu ship it only inside the Prometheus server's package.
  {
    name: 'promtool',
    variable: 'PROMTOOL_BIN',
    candidates: ['promtool'],
    debian: 'prometheus',
    ubuntu: 'prometheus',
    macos: 'brew install prometheus',
    service: { name: 'prometheus', executable: '/usr/bin/prometheus' },
  },
];

const REDIS = REQUIRED_TOOLS[0];
const CHROMIUM = REQUIRED_TOOLS[1];
const PYTHON = REQUIRED_TOOLS[2];
const OPENSSL = REQUIRED_TOOLS[3];
const PROMTOOL = REQUIRED_TOOLS[4];

/** The executable for a tool, or null when it is not installed. */
export function locate(tool: RequiredTool, env: NodeJS.ProcessEnv = process.env): string | null {
  const given = env[tool.variable];
  if (given) return isExecutable(given) ? given : null;
  for (const candidate of tool.candidates) {
    const found = candidate.includes('/') ? (isExecutable(candidate) ? candidate : null) : onPath(candidate, env);
    if (found) return found;
  }
  return null;
}

function onPath(command: string, env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, command))) return join(dir, command);
  }
  return null;
}

export const redisServerPath = (): string => locate(REDIS) ?? REDIS.name;
export const chromiumPath = (): string => locate(CHROMIUM) ?? CHROMIUM.name;
export const python3Path = (): string => locate(PYTHON) ?? PYTHON.name;
export const promtoolPath = (): string => locate(PROMTOOL) ?? PROMTOOL.name;
export const opensslPath = (): string => locate(OPENSSL) ?? OPENSSL.name;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface Machine {
  isRoot: boolean;
  hasAptGet: boolean;
  /** `sudo -n true` succeeds: sudo without a password. */
  hasPasswordlessSudo: boolean;
  /** ID from /etc/os-release: `debian`, `ubuntu`, … */
  osId: string | null;
  /** Booted with systemd (/run/systemd/system), which then starts a package's services, else its init script does. */
  hasSystemd: boolean;
}

export type InstallPlan = { kind: 'nothing' } | { kind: 'install'; packages: string[]; commands: string[][] } | { kind: 'stop'; message: string };

/** What to do about missing tools on this machine: nothing, install them with apt-get, or stop and say how. */
export function planInstall(missing: RequiredTool[], machine: Machine): InstallPlan {
  if (missing.length === 0) return { kind: 'nothing' };
  const packages = missing.flatMap((tool) => (machine.osId === 'ubuntu' ? tool.ubuntu : tool.debian).split(' '));
  const canInstall = machine.hasAptGet && (machine.isRoot || machine.hasPasswordlessSudo);
  if (canInstall) {
    const sudo = machine.isRoot ? [] : ['sudo', '-n'];
    const commands = [
      [...sudo, 'apt-get', 'update', '-q'],
      [...sudo, 'apt-get', 'install', '-y', '-q', '--no-install-recommends', ...packages],
      ...missing.flatMap(({ service }) => (service ? stopService(service.name, machine, sudo) : [])),
    ];
    return { kind: 'install', packages, commands };
  }
  const names = missing.map((tool) => tool.name).join(' and ');
  const message = [
    `The tests need ${names}, which ${missing.length === 1 ? 'is' : 'are'} not installed, and cannot be installed from here (no apt-get, or not root and no sudo without a password). Install ${missing.length === 1 ? 'it' : 'them'}:`,
    `  Debian:         sudo apt-get install -y ${missing.map((tool) => tool.debian).join(' ')}`,
    `  Ubuntu:         sudo apt-get install -y ${missing.map((tool) => tool.ubuntu).join(' ')}`,
    `  macOS:          ${missing.map((tool) => tool.macos).join(' && ')}`,
    `or point ${missing.map((tool) => tool.variable).join(' / ')} at ${missing.length === 1 ? 'it' : 'them'}, then run npm test again.`,
  ].join('\n');
  return { kind: 'stop', message };
}

/** A service stopped now and not started at boot, whether it was started or not (a policy-rc.d may have refused it). */
function stopService(name: string, machine: Machine, sudo: string[]): string[][] {
  if (machine.hasSystemd) return [[...sudo, 'systemctl', 'disable', '--now', `${name}.service`]];
  return [
    [...sudo, 'update-rc.d', name, 'disable'],
    [...sudo, `/etc/init.d/${name}`, 'stop'],
  ];
}

/**
 * The processes running `executable` (the first word of their command line), by id: none once a service the tests
 * installed is stopped. Read from /proc; nothing where there is none (macOS, where Homebrew starts no service).
 */
export function processesRunning(executable: string, proc = '/proc'): number[] {
  if (!existsSync(proc)) return [];
  return readdirSync(proc)
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`${proc}/${pid}/cmdline`, 'latin1').split('\0')[0] === executable;
      } catch {
        return false; // ended meanwhile
      }
    })
    .map(Number);
}

export function thisMachine(): Machine {
  let osId: string | null = null;
  try {
    osId = /^ID=["']?([\w.-]+)/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? null;
  } catch {
    osId = null;
  }
  const isRoot = process.getuid?.() === 0;
  const hasAptGet = onPath('apt-get') !== null;
  const hasPasswordlessSudo = !isRoot && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  return { isRoot, hasAptGet, hasPasswordlessSudo, osId, hasSystemd: existsSync('/run/systemd/system') };
}
