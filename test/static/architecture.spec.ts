import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const SRC = join(__dirname, '..', '..', 'src');

/**
 * The layers of ARCHITECTURE.md, as ranks: a folder may import only from folders of a lower rank (and itself). The
 * composition root (files directly in src/, and cli/) sits on top.
 */
const RANK: Record<string, number> = {
  config: 0,
  errors: 0,
  clock: 0,
  concurrency: 0,
  metrics: 0,
  redis: 1,
  crypto: 1,
  logging: 1,
  http: 1,
  openapi: 2,
  coordination: 2,
  brokers: 2,
  access: 3,
  scrape: 3,
  'rate-limit': 4,
  audit: 5,
  tokens: 6,
  login: 7,
  alerts: 7,
  health: 7,
  sandbox: 7,
  'token-feed': 7,
  status: 8,
  cli: 9,
  '.': 9,
};
/** The composition root's parts may use one another. */
const COMPOSITION = 9;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

const folderOf = (path: string) => relative(SRC, path).split('/').slice(0, -1)[0] ?? '.';

function imports(): Array<{ from: string; to: string; file: string }> {
  return sourceFiles(SRC).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)].map((match) => ({
      file: relative(SRC, file),
      from: folderOf(file),
      to: folderOf(normalize(join(dirname(file), match[1]))),
    })),
  );
}

describe('the layers', () => {
  it('give every folder under src/ a rank', () => {
    const folders = readdirSync(SRC, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    expect(folders.filter((folder) => RANK[folder] === undefined)).toEqual([]);
  });

  it('are only ever imported downwards', () => {
    const upwards = imports()
      .filter(({ from, to }) => from !== to && RANK[to] >= RANK[from] && RANK[from] !== COMPOSITION)
      .map(({ file, to }) => `${file} imports ${to}/`);
    expect(upwards).toEqual([]);
  });
});
