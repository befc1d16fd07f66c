import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const scripts = (): Record<string, string> => JSON.parse(read('package.json')).scripts;

/** The commands of the README's quick start, without their comments. */
function quickStart(): string[] {
  const section = read('README.md').split('\n## Quick start')[1]?.split('\n## ')[0] ?? '';
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter(Boolean);
}

/** What .ci/run executes, leaving out its shell settings and the move to the repository root. */
function ciCommands(): string[] {
  return read('.ci/run')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#') && !line.startsWith('set ') && !line.startsWith('cd '));
}

/**
 * The README's commands as text: what they are and where they lead. That they do what the README says:
 * test/readme.e2e-spec.ts and test/readme-run.e2e-spec.ts.
 */
describe('the README’s quick start', () => {
  it('is two commands: one that runs the vault, one that runs every test', () => {
    expect(quickStart()).toEqual(['npm ci && npm run demo', 'npm ci && npm test']);
  });

  it('is what CI runs, and CI runs nothing else', () => {
    expect(ciCommands()).toEqual([quickStart()[1]]);
  });
});

describe('the README’s npm commands', () => {
  it('are scripts of package.json, each of them', () => {
    const named = [...read('README.md').matchAll(/\bnpm (?:run(?: -s| --silent)? ([a-z][\w:-]*)|(start|test)\b)/g)].map((match) => match[1] ?? match[2]);
    expect(named.length).toBeGreaterThan(10);
    expect([...new Set(named)].filter((name) => scripts()[name] === undefined)).toEqual([]);
  });

  it('run their bundle through scripts/run.mjs, built first when needed: a program scripts/bundle.mjs builds', () => {
    const built = [...read('scripts/bundle.mjs').matchAll(/^ {2}'([\w/-]+)\.js': '[\w/.-]+',$/gm)].map((match) => match[1]);
    for (const name of ['demo', 'clients', 'operator-password', 'status', 'reencrypt']) {
      const program = /^node scripts\/run\.mjs ([\w/-]+)$/.exec(scripts()[name])?.[1];
      expect(built).toContain(program);
    }
  });

  it('leave npm start as the image runs the vault: the bundle as built, never a build first', () => {
    expect(scripts().start).toBe('node --min-semi-space-size=16 dist/vault.js');
  });
});
