import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeAll } from './support/close-all';
import { ConsumerCluster, LIMITED_BUDGET } from './support/consumer-cluster';
import { ConsumerClusterControl } from './support/consumer-cluster-control';
import { opensslPath, python3Path } from './support/required-tools';

const CLIENT_DIR = join(__dirname, '..', 'clients', 'python');
const TESTS_DIR = join(CLIENT_DIR, 'tests');
/** The client is versioned with the vault. */
const VERSION: string = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version;

/** The test classes of tests/test_*.py, as `module.Class`. */
const SUITES = readdirSync(TESTS_DIR)
  .filter((name) => /^test_\w+\.py$/.test(name))
  .sort()
  .flatMap((file) =>
    [...readFileSync(join(TESTS_DIR, file), 'utf8').matchAll(/^class ([A-Z]\w*)\((?:AgainstTheVault|unittest\.TestCase)\):/gm)].map(
      (match) => `${file.slice(0, -'.py'.length)}.${match[1]}`,
    ),
  );

/** unittest -v's line for each test: `test_name (test_client.Class.test_name) ... ok` (Python 3.9: `(test_client.Class)`). */
const OUTCOME = /^(\w+) \((test_\w+)\.(\w+)[.\w]*\) \.\.\. (.*)$/gm;

/** The sdist, made by the backend's own hook, as a build frontend calls it. */
const BUILD_SDIST = 'import sys; sys.path.insert(0, "backend"); import token_vault_build; print(token_vault_build.build_sdist(sys.argv[1]))';

/** What a strategy does first, in a venv of its own, from a folder that holds no source of the client. */
const STRATEGY = `
import json, os, token_vault, token_vault_client
token = token_vault.TokenVault.from_env().token("YA0991")
print(json.dumps({"version": token_vault.__version__, "package": token_vault.__file__, "former": token_vault_client.__file__,
                  "typed": os.path.isfile(os.path.join(os.path.dirname(token_vault.__file__), "py.typed")), "account": token.client_id}))
`;

interface Run {
  code: number | null;
  output: string;
}

type Install = 'wheel' | 'folder' | 'sdist';
const INSTALLS: Install[] = ['wheel', 'folder', 'sdist'];

/** The Python programs running, killed if the suite ends before them. */
const running = new Set<ChildProcess>();

/**
 * The Python client (clients/python, the package token_vault) as a strategy gets it: built into a wheel and an sdist
 * by its standard-library build backend with no package index, each (and the folder itself, as `pip install
 * ./clients/python`) installed into a fresh venv, and imported there against two vault replicas on one Redis. Its
 * unittest suite runs once, with the wheel's venv, with the vaults' addresses, keys and a control URL in its
 * environment, and is reported here class by class.
 */
describe('the Python client, built, installed into fresh venvs, and run against two vault replicas on one Redis', () => {
  let python: string;
  let work: string;
  let cluster: ConsumerCluster;
  let control: ConsumerClusterControl;
  const builds: Record<'wheel' | 'sdist', Run> = { wheel: { code: null, output: '' }, sdist: { code: null, output: '' } };
  const strategies = {} as Record<Install, Run>;
  let suite: Run;

  beforeAll(async () => {
    // The test setup found python3 and openssl, or installed them, before any test ran (test/support/global-setup.ts).
    python = python3Path();
    work = mkdtempSync(join(tmpdir(), 'token-vault-python-'));
    // The builds and installs need no vault: they go on while the cluster starts.
    const [started, installed] = await Promise.allSettled([ConsumerCluster.start(), buildAndInstall()]);
    if (started.status === 'fulfilled') cluster = started.value;
    if (started.status === 'rejected') throw started.reason;
    if (installed.status === 'rejected') throw installed.reason;
    const venvs = installed.value;
    control = await new ConsumerClusterControl(cluster).start();
    await cluster.login(0, 'YA0991');
    for (const install of INSTALLS) {
      strategies[install] = await run(join(venvs[install], 'bin', 'python'), ['-I', '-c', STRATEGY], {
        cwd: work,
        env: { VAULT_URL: cluster.replicas[0].url, VAULT_KEY: cluster.keyOf('strategy-a') },
      });
    }
    suite = await unittest(join(venvs.wheel, 'bin', 'python'));
  }, 180_000);

  afterAll(async () => {
    for (const child of running) child.kill('SIGKILL');
    await closeAll(
      () => control?.stop(),
      () => cluster?.close(),
      () => rmSync(work, { recursive: true, force: true }),
    );
  });

  /** The wheel (`pip wheel --no-build-isolation --no-deps`) and the sdist, into work/dist; a venv for each install. */
  async function buildAndInstall(): Promise<Record<Install, string>> {
    const dist = join(work, 'dist');
    builds.wheel = await run(python, ['-m', 'pip', 'wheel', '--no-build-isolation', '--no-deps', '--no-index', '--wheel-dir', dist, CLIENT_DIR]);
    mkdirSync(dist, { recursive: true });
    builds.sdist = await run(python, ['-c', BUILD_SDIST, dist], { cwd: CLIENT_DIR });
    const built = (ending: string) => join(dist, readdirSync(dist).find((name) => name.endsWith(ending)) ?? `nothing-ending-${ending}`);
    const sources: Record<Install, string> = { wheel: built('.whl'), folder: CLIENT_DIR, sdist: built('.tar.gz') };
    // Each venv is a folder of its own: the three installs go on at once.
    const made = await Promise.all(INSTALLS.map((install) => venv(install, sources[install])));
    return Object.fromEntries(INSTALLS.map((install, index) => [install, made[index]])) as Record<Install, string>;
  }

  /**
   * A fresh venv, without pip of its own: the machine's pip installs into it (`--python`), with no package index and
   * without its configuration, so nothing can come from anywhere but `source`. Build isolation stays on, as in a
   * plain `pip install ./clients/python`: the backend requires nothing.
   */
  async function venv(install: Install, source: string): Promise<string> {
    const dir = join(work, `venv-${install}`);
    const made = await run(python, ['-m', 'venv', '--without-pip', dir]);
    if (made.code !== 0) throw new Error(`python3 -m venv failed:\n${made.output}`);
    const installed = await run(python, ['-m', 'pip', '--python', join(dir, 'bin', 'python'), 'install', '--no-index', source]);
    if (installed.code !== 0) throw new Error(`pip install ${source} failed:\n${installed.output}`);
    return dir;
  }

  function unittest(venvPython: string): Promise<Run> {
    return run(venvPython, ['-m', 'unittest', '-v'], {
      cwd: TESTS_DIR,
      withinMs: 120_000,
      env: {
        VAULT_URL: cluster.replicas[0].url,
        VAULT_OTHER_URL: cluster.replicas[1].url,
        VAULT_LIMITED_URL: cluster.limited.url,
        VAULT_LIMITED_BUDGET: String(LIMITED_BUDGET),
        VAULT_CONTROL_URL: control.url,
        VAULT_READER_KEY: cluster.keyOf('strategy-a'),
        VAULT_BURSTY_KEY: cluster.keyOf('bursty'),
        VAULT_ADMIN_KEY: cluster.keyOf('ops'),
        OPENSSL_BIN: opensslPath(),
      },
    });
  }

  it('builds a wheel and an sdist named with the vault’s version (package.json), with no package index', () => {
    expect(`exit ${builds.wheel.code}\n${builds.wheel.output}`).toMatch(/^exit 0\n/);
    expect(`exit ${builds.sdist.code}\n${builds.sdist.output}`).toMatch(/^exit 0\n/);
    expect(readdirSync(join(work, 'dist')).sort()).toEqual([`token_vault-${VERSION}-py3-none-any.whl`, `token_vault-${VERSION}.tar.gz`]);
  });

  it.each<Install>(INSTALLS)('installs from the %s into a fresh venv, where a strategy imports it and reads a token', (install) => {
    const { code, output } = strategies[install];
    expect(`exit ${code}\n${output}`).toMatch(/^exit 0\n/);
    const seen = JSON.parse(output.trim().split('\n').pop() ?? '{}');
    const site = join(work, `venv-${install}`, 'lib');
    expect(seen).toEqual({ version: VERSION, package: expect.stringContaining(site), former: expect.stringContaining(site), typed: true, account: 'YA0991' });
  });

  it('runs every test of tests/ with the wheel’s venv, skipping none, and exits 0', () => {
    expect(SUITES).toEqual(
      expect.arrayContaining([
        'test_client.Caching',
        'test_client.WaitingForTheLogin',
        'test_events.FollowingEvents',
        'test_async.AsyncClient',
        'test_tls.ThroughTlsWithAnInternalCa',
        'test_package.TheFormerModule',
      ]),
    );
    // The whole output on a failure: unittest's report of what failed and why.
    expect(`exit ${suite?.code}\n${suite?.output}`).toMatch(/^exit 0\n[\s\S]*\nOK\n?$/);
    expect(suite.output).not.toMatch(/skipped/i);
  });

  it.each(SUITES)('passes %s', (name) => {
    const outcomes = [...(suite?.output ?? '').matchAll(OUTCOME)].filter((match) => `${match[2]}.${match[3]}` === name).map((match) => `${match[1]}: ${match[4]}`);
    expect(outcomes.length).toBeGreaterThan(0);
    expect(outcomes.filter((outcome) => !outcome.endsWith(': ok'))).toEqual([]);
  });
});

/** A Python program run to its end: exit code, and stdout and stderr together. pip reads no configuration file. */
function run(program: string, args: string[], options: { cwd?: string; env?: Record<string, string>; withinMs?: number } = {}): Promise<Run> {
  const { withinMs = 60_000 } = options;
  const env = {
    PATH: process.env.PATH ?? '',
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONUNBUFFERED: '1',
    PIP_CONFIG_FILE: '/dev/null',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    ...options.env,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { cwd: options.cwd ?? CLIENT_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let output = '';
    // A test that hangs is cut off, and what the run printed until then names it.
    const deadline = setTimeout(() => {
      output += `\n(killed: still running after ${withinMs / 1000} s)\n`;
      child.kill('SIGKILL');
    }, withinMs);
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error) => {
      clearTimeout(deadline);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(deadline);
      running.delete(child);
      resolve({ code, output });
    });
  });
}
