// Bundles the compiled vault (dist/main.js, from tsc) into one file, dist/vault.js, which `npm start` and the image
// run. Node on its own resolves, reads and compiles some 1,500 module files at start, most of a second and a half
// before the vault can answer; one file starts in well under a second (npm run bench shows both).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

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

await build({
  entryPoints: ['dist/main.js'],
  outfile: 'dist/vault.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  // No keepNames: it wraps every function made at run time, closures in each request included, in a call that
  // costs the read path a fifth of its time. Identifiers are not minified, so classes keep their names.
  minifyWhitespace: true,
  logLevel: 'warning',
  external: OPTIONAL.flatMap((name) => [name, `${name}/*`]),
});

// V8 keeps a script's source for as long as the script lives, one byte a character if every character is Latin-1
// and two bytes otherwise. esbuild escapes non-ASCII text in strings but not in regular expression literals, and
// validator's locale patterns (class-validator's dependency) hold a few hundred such characters: one of them doubles
// the whole 4 MB source in memory. Written as \uXXXX (one per UTF-16 unit) the patterns match the same text, with or
// without the u flag, and the source stays one byte a character.
const bundle = readFileSync('dist/vault.js', 'utf8');
writeFileSync(
  'dist/vault.js',
  bundle.replace(/[^\x00-\x7f]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`),
);

// The docs page's two files from swagger-ui-dist, beside the bundle (src/openapi/docs-assets.ts reads them from
// there): the image holds dist/ and no node_modules.
const swaggerUi = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
mkdirSync('dist/docs', { recursive: true });
for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css']) copyFileSync(join(swaggerUi, file), join('dist/docs', file));
