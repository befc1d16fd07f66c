import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
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
];

const REDIS = REQUIRED_TOOLS[0];
const CHROMIUM = REQUIRED_TOOLS[1];
const PYTHON = REQUIRED_TOOLS[2];
const OPENSSL = REQUIRED_TOOLS[3];

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
  return { isRoot, hasAptGet, hasPasswordlessSudo, osId };
}
