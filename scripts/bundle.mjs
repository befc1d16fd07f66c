// Bundles tsc's output (build/) into the programs the package runs, one file each, in dist/: the vault that
// `npm start` and the image run, the demo, and each command. Node on its own resolves, reads and compiles some
// 1,500 module files at start; one file starts the vault within its second (npm run bench), and a command at once.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { build } from 'esbuild';

const PROGRAMS = {
  'vault.js': 'main.js',
  'demo.js': 'demo.js',
  'cli/clients.js': 'cli/clients.js',
  'cli/operator-password.js': 'cli/operator-password.js',
  'cli/reencrypt.js': 'cli/reencrypt.js',
  'cli/status.js': 'cli/status.js',
};

// Packages that Nest and its helpers ask for only if they are installed (try/catch around require): none is, and
// none may be pulled in.
const OPTIONAL = [
  '@nestjs/microservices',
  '@nestjs/websockets',
  '@nestjs/platform-express',
  '@nestjs/mongoose',
  '@nestjs/typeorm',
  '@nestjs/sequelize',
  '@mikro-orm/core',
  '@fastify/static',
  '@fastify/view',
  'class-transformer/storage',
];

// tsc leaves the Lua scripts where the code imports them from; esbuild takes each in as its text.
for (const file of filesUnder('src', '.lua')) {
  const target = join('build', relative('src', file));
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(file, target);
}

// The commit built, for token_vault_build_info (src/status/vault-version.ts), asked of git here and never at run time;
// left out where there is no repository, as in the image's build, which copies no .git.
const revision = builtRevision();
const define = revision === undefined ? {} : { __VAULT_REVISION__: JSON.stringify(revision) };

for (const [program, entry] of Object.entries(PROGRAMS)) {
  const outfile = join('dist', program);
  await build({
    entryPoints: [join('build', entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    // No keepNames: it wraps every function made at run time, closures in each request included, in a call, on
    // every request. Identifiers are not minified, so classes keep their names.
    minifyWhitespace: true,
    logLevel: 'warning',
    loader: { '.lua': 'text' },
    define,
    external: OPTIONAL.flatMap((name) => [name, `${name}/*`]),
  });
  // V8 keeps a script's source for as long as the script lives, one byte a character if every character is Latin-1
  // and two bytes otherwise. esbuild escapes non-ASCII text in strings but not in regular expression literals, and
  // validator's locale patterns (class-validator's dependency) hold a few hundred such characters: one of them
  // doubles the whole 4 MB source in memory. Written as \uXXXX (one per UTF-16 unit) the patterns match the same
  // text, with or without the u flag, and the source stays one byte a character.
  const bundle = readFileSync(outfile, 'utf8');
  writeFileSync(outfile, bundle.replace(/[^\x00-\x7f]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

// The docs page's two files from swagger-ui-dist, beside the bundle (src/openapi/docs-assets.ts reads them from
// there): the image holds dist/ and no node_modules.
const swaggerUi = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
mkdirSync('dist/docs', { recursive: true });
for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css']) copyFileSync(join(swaggerUi, file), join('dist/docs', file));

// Last, once every bundle is written: scripts/run.mjs builds again when this is missing or older than a source, so a
// build cut short is never taken for a whole one.
writeFileSync('dist/.built', '');

function filesUnder(dir, extension) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(extension))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}

/** HEAD's commit, with `-dirty` when a file git tracks differs from it; undefined without git or a repository. */
function builtRevision() {
  const git = (...args) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const commit = git('rev-parse', '--verify', 'HEAD');
    return /^[0-9a-f]{40,64}$/.test(commit) ? `${commit}${git('status', '--porcelain', '--untracked-files=no') === '' ? '' : '-dirty'}` : undefined;
  } catch {
    return undefined;
  }
}
