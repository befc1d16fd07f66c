import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReadmeCheckout } from './readme-checkout';

const BUILDING = 'token-vault: there is no build yet: building first (npm run build)\n';

/**
 * How the README's commands run (its Commands section): from their bundles at once on a built checkout, built first
 * on a fresh clone or after a change. The README's commands themselves, on a built checkout: readme.e2e-spec.ts.
 */
describe('a command on a fresh clone', () => {
  let checkout: ReadmeCheckout;

  beforeAll(() => {
    checkout = ReadmeCheckout.create({ built: false });
  });

  afterAll(() => checkout.remove());

  it('builds first, saying so in one line on stderr, then runs; the next run starts from the bundles', async () => {
    const env = { VAULT_CLIENTS_FILE: 'clients.json' };
    const first = await checkout.run('npm run -s clients -- list', env);
    // The build's own output goes to stderr, before the program's: stdout holds only what the program prints there.
    expect(first).toEqual({ code: 0, stdout: '', stderr: `${BUILDING}no clients in clients.json\n` });
    // What npm run build makes: tsc's output in build/, and a bundle for every program in dist/.
    expect(existsSync(checkout.path('build/main.js'))).toBe(true);
    for (const program of ['vault', 'demo', 'cli/clients', 'cli/operator-password', 'cli/reencrypt', 'cli/status']) {
      expect(existsSync(checkout.path(`dist/${program}.js`))).toBe(true);
    }
    expect(await checkout.run('npm run -s clients -- list', env)).toEqual({ code: 0, stdout: '', stderr: 'no clients in clients.json\n' });
  }, 180_000);
});

// A program that says how it was run, and ends as it is told to.
const ECHO = `
const input = require('node:fs').readFileSync(0, 'utf8');
process.stdout.write(JSON.stringify({ argv: process.argv.slice(2), input, main: require.main === module }) + '\\n');
if (process.env.SIGNAL) process.kill(process.pid, process.env.SIGNAL);
process.exitCode = Number(process.env.EXIT_CODE ?? 0);
`;

// The build as npm run build runs it, writing as much: a line on stdout, the bundle, and dist/.built last.
const BUILD = `
const fs = require('node:fs');
fs.appendFileSync('builds', 'x');
console.log('the stand-in build says something on stdout');
if (fs.existsSync('fail')) { console.error('the stand-in build failed'); process.exit(3); }
fs.rmSync('dist', { recursive: true, force: true });
fs.mkdirSync('dist');
fs.writeFileSync('dist/echo.js', ${JSON.stringify(ECHO)});
if (process.env.SLOW_BUILD) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
fs.writeFileSync('dist/.built', '');
`;

const INPUTS = ['src/a.ts', 'src/deep/b.lua', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/bundle.mjs'];

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * scripts/run.mjs's rules, in a package of its own whose build is a stand-in that counts its runs: the real build
 * takes seconds, and is what the fresh clone above runs.
 */
describe('scripts/run.mjs, which every command but npm start goes through', () => {
  let dir: string;
  const builds = () => (existsSync(join(dir, 'builds')) ? readFileSync(join(dir, 'builds'), 'utf8').length : 0);

  /** `node scripts/run.mjs echo ARGS…` in the package, with `input` on its stdin. */
  function run(args: string[], { input = '', env = {} }: { input?: string; env?: Record<string, string> } = {}): Promise<Ran> {
    const child = spawn(process.execPath, ['scripts/run.mjs', ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.end(input);
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    });
  }

  /** Every input and the last build a minute apart, in the past: then `newer`, if given, is newer than the build. */
  function settle(newer?: string): void {
    const now = Date.now() / 1000;
    for (const input of INPUTS) utimesSync(join(dir, input), now - 120, now - 120);
    utimesSync(join(dir, 'dist', '.built'), now - 60, now - 60);
    if (newer) utimesSync(join(dir, newer), now - 30, now - 30);
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'token-vault-run-'));
    for (const sub of ['src/deep', 'scripts', 'node_modules']) mkdirSync(join(dir, sub), { recursive: true });
    for (const input of INPUTS) writeFileSync(join(dir, input), input === 'package.json' ? '{"private": true, "scripts": {"build": "node build.js"}}' : '');
    writeFileSync(join(dir, 'build.js'), BUILD);
    copyFileSync(join(__dirname, '..', 'scripts', 'run.mjs'), join(dir, 'scripts', 'run.mjs'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('with no build yet, builds once, saying so on stderr with the build’s own output, and runs the program', async () => {
    const ran = await run(['echo', 'a', 'b c', '--', '--d'], { input: 'piped in' });
    expect(ran.code).toBe(0);
    expect(JSON.parse(ran.stdout)).toEqual({ argv: ['a', 'b c', '--', '--d'], input: 'piped in', main: true });
    expect(ran.stderr).toBe(`${BUILDING}the stand-in build says something on stdout\n`);
    expect(builds()).toBe(1);
  });

  it('when built, runs the bundle without building, and says nothing', async () => {
    settle();
    const ran = await run(['echo']);
    expect(ran).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(ran.stdout)).toMatchObject({ argv: [] });
    expect(builds()).toBe(1);
  });

  it.each(INPUTS)('builds again when %s is newer than the last build, naming it', async (input) => {
    settle(input);
    const before = builds();
    const ran = await run(['echo']);
    expect(ran.code).toBe(0);
    expect(ran.stderr.split('\n')[0]).toBe(`token-vault: ${input} changed since the last build: building first (npm run build)`);
    expect(builds()).toBe(before + 1);
  });

  it('builds again when the last build was cut short, its bundles written but not dist/.built', async () => {
    settle();
    rmSync(join(dir, 'dist', '.built'));
    const before = builds();
    expect((await run(['echo'])).stderr).toContain(BUILDING);
    expect(builds()).toBe(before + 1);
  });

  it('runs nothing when the build fails, and exits 1 saying so', async () => {
    settle('src/a.ts');
    writeFileSync(join(dir, 'fail'), '');
    try {
      const ran = await run(['echo']);
      expect(ran).toMatchObject({ code: 1, stdout: '' });
      expect(ran.stderr).toContain('the stand-in build failed\n');
      expect(ran.stderr).toContain('token-vault: the build failed (exit 3); nothing was run\n');
    } finally {
      rmSync(join(dir, 'fail'));
    }
  });

  it('ends as the program ends: with its exit code, or by the signal that killed it', async () => {
    settle();
    expect(await run(['echo'], { env: { EXIT_CODE: '7' } })).toMatchObject({ code: 7, signal: null });
    expect(await run(['echo'], { env: { SIGNAL: 'SIGTERM' } })).toMatchObject({ code: null, signal: 'SIGTERM' });
  });

  it('builds once when two commands start at once, the second waiting for the first’s build', async () => {
    settle('src/a.ts');
    const before = builds();
    const both = await Promise.all([run(['echo', 'one'], { env: { SLOW_BUILD: '1' } }), run(['echo', 'two'], { env: { SLOW_BUILD: '1' } })]);
    expect(both.map((ran) => JSON.parse(ran.stdout).argv)).toEqual([['one'], ['two']]);
    expect(both.filter((ran) => ran.stderr.startsWith('token-vault: src/a.ts changed'))).toHaveLength(1);
    expect(builds()).toBe(before + 1);
  });

  it('takes over the lock of a build that was killed', async () => {
    settle('src/a.ts');
    const lock = join(dir, '.build-lock');
    mkdirSync(lock, { recursive: true });
    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => gone.once('close', resolve));
    writeFileSync(join(lock, 'pid'), String(gone.pid));
    const before = builds();
    expect((await run(['echo'])).code).toBe(0);
    expect(builds()).toBe(before + 1);
    expect(existsSync(lock)).toBe(false);
  });

  it('refuses a program that is not in dist/', async () => {
    settle();
    expect(await run(['nope'])).toMatchObject({ code: 1, stdout: '', stderr: 'token-vault: there is no program nope in dist/\n' });
  });
});
