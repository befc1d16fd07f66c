// Makes test/fixtures/previous-release/: the vault bundle of an earlier commit, which test/rolling-upgrade.e2e-spec.ts
// runs beside today's dist/vault.js on one Redis, as two replicas of a rolling upgrade. Usage, from the repository's
// root, on a clone with history:
//
//   node scripts/previous-release.mjs <commit>
//
// The commit's files are taken with git archive (no worktree left behind) and built by that commit's own
// `npm run build`, on this checkout's node_modules when its package-lock.json is the same, else on its own `npm ci`.
// Its dist/vault.js is then minified and gzipped: some 0.9 MB in the repository instead of 4.5.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { transform } from 'esbuild';

const FIXTURE = 'test/fixtures/previous-release';
const BUNDLE = 'vault.js.gz';

const commitArgument = process.argv[2];
if (!commitArgument) {
  console.error('usage: node scripts/previous-release.mjs <commit>');
  process.exit(2);
}
const git = (...args) => execFileSync('git', args, { encoding: 'utf8' }).trim();
const commit = git('rev-parse', '--verify', `${commitArgument}^{commit}`);
const subject = git('log', '-1', '--format=%s', commit);

const work = mkdtempSync(join(tmpdir(), 'token-vault-previous-release-'));
try {
  execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C "${work}"`], { stdio: 'inherit' });
  if (readFileSync(join(work, 'package-lock.json'), 'utf8') === readFileSync('package-lock.json', 'utf8')) {
    symlinkSync(resolve('node_modules'), join(work, 'node_modules'), 'dir');
  } else {
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: work, stdio: 'inherit' });
  }
  execFileSync('npm', ['run', '-s', 'build'], { cwd: work, stdio: 'inherit' });
  const bundle = readFileSync(join(work, 'dist', 'vault.js'), 'utf8');
  // keepNames: classes keep their names (Nest's providers, log contexts and the OpenAPI schemas go by them) while
  // every other identifier is shortened.
  const { code } = await transform(bundle, { minify: true, keepNames: true, platform: 'node', target: 'node20', format: 'cjs', legalComments: 'none' });
  const packed = gzipSync(code, { level: 9 });
  mkdirSync(FIXTURE, { recursive: true });
  writeFileSync(join(FIXTURE, BUNDLE), packed);
  writeFileSync(join(FIXTURE, 'README.md'), readme(commit, subject));
  console.log(`${FIXTURE}/${BUNDLE}: ${commit.slice(0, 12)} (${subject}), ${(packed.length / 1e6).toFixed(2)} MB`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

function readme(commit, subject) {
  return `# The previous release

\`${BUNDLE}\` is \`dist/vault.js\` as \`npm run build\` made it at commit \`${commit}\`
(${subject}), minified and gzipped. \`test/rolling-upgrade.e2e-spec.ts\` runs it beside today's bundle on one
Redis, as the two versions of a rolling upgrade; nothing else uses it.

Remade, for the release to come, from a clone with history:

\`\`\`sh
node scripts/previous-release.mjs <commit>
\`\`\`
`;
}
