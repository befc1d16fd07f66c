// Runs one of the package's programs from its bundle: `node scripts/run.mjs cli/clients list` runs dist/cli/clients.js
// with the arguments after the program's name. On a built checkout it starts at once. When there is no build yet, or
// something the bundles are built from changed since the last build (an edited or pulled source, a new lock file), it
// builds first and says so in one line on stderr, so that a command never runs stale code. Nothing but the program's
// own output goes to stdout, which is often kept (`npm run -s operator-password -- ops >> .env`).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Written by scripts/bundle.mjs once every bundle is: a build cut short leaves none, and is built again. */
const BUILT = join(ROOT, 'dist', '.built');
/** One build at a time: a second command started meanwhile waits for it rather than deleting what it writes. */
const LOCK = join(ROOT, '.build-lock');
const WAIT_STEP_MS = 200;

const [program, ...args] = process.argv.slice(2);
if (!program) fail('say which program: node scripts/run.mjs PROGRAM [ARGS…], PROGRAM a bundle under dist/ such as cli/status');
const bundle = join(ROOT, 'dist', `${program}.js`);

if (staleBecause()) buildOnce();
if (!existsSync(bundle)) fail(`there is no program ${program} in dist/`);

// The bundle runs in this process, as `node dist/PROGRAM.js ARGS…` runs it (runMain is what node starts a main module
// with): it is require.main, and its exit code, signals and standard streams are this process's own, with no second
// process to pass them through, nor a Ctrl-C reaching the program twice.
process.argv = [process.argv[0], bundle, ...args];
Module.runMain();

/** Why the bundles must be built first, or null when they are current. */
function staleBecause() {
  if (!existsSync(BUILT)) return 'there is no build yet';
  const builtAt = statSync(BUILT).mtimeMs;
  const newer = inputs().find((input) => statSync(input).mtimeMs > builtAt);
  return newer ? `${relative(ROOT, newer)} changed since the last build` : null;
}

/** What the bundles are built from: every file under src/, the package's manifests, the compiler's settings, the bundler. */
function inputs() {
  const sources = readdirSync(join(ROOT, 'src'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
  const settings = readdirSync(ROOT).filter((name) => /^tsconfig.*\.json$/.test(name));
  const others = ['package.json', 'package-lock.json', ...settings, 'scripts/bundle.mjs'].map((name) => join(ROOT, name));
  return [...sources, ...others.filter((path) => existsSync(path))];
}

/** Builds, unless another command is building: then waits for it, and builds only if its build did not make this current. */
function buildOnce() {
  if (!existsSync(join(ROOT, 'node_modules'))) fail('there is no build yet, and nothing to build it with: run npm ci first');
  mkdirSync(dirname(LOCK), { recursive: true });
  while (!takeLock()) sleep(WAIT_STEP_MS);
  let build;
  try {
    const reason = staleBecause();
    if (!reason) return;
    process.stderr.write(`token-vault: ${reason}: building first (npm run build)\n`);
    // The npm that runs this command, when one does. Its output and the compiler's go to stderr, with the rest of the
    // build's: stdout is the program's.
    const npm = process.env.npm_execpath;
    const [command, prefix] = npm && /\.[cm]?js$/.test(npm) ? [process.execPath, [npm]] : ['npm', []];
    build = spawnSync(command, [...prefix, 'run', '-s', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
  if (build.status !== 0) fail(`the build failed (${build.error?.code ?? build.signal ?? `exit ${build.status}`}); nothing was run`);
}

/** The lock is a directory holding its owner's pid; one whose owner is gone (killed mid-build) is taken over. */
function takeLock() {
  try {
    mkdirSync(LOCK);
    writeFileSync(join(LOCK, 'pid'), String(process.pid));
    return true;
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
    if (!ownerAlive()) rmSync(LOCK, { recursive: true, force: true });
    return false;
  }
}

function ownerAlive() {
  const lock = statSync(LOCK, { throwIfNoEntry: false });
  if (!lock) return false;
  const pid = Number(readIfThere(join(LOCK, 'pid')));
  // No pid yet: its owner is between making the lock and writing its pid, unless that was long ago.
  if (!pid) return Date.now() - lock.mtimeMs < 5_000;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function readIfThere(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function fail(message) {
  process.stderr.write(`token-vault: ${message}\n`);
  process.exit(1);
}
