import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

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

describe('the README’s quick start', () => {
  it('is two commands: one that runs the vault, one that runs every test', () => {
    expect(quickStart()).toEqual(['npm ci && npm run demo', 'npm ci && npm test']);
  });

  it('is what CI runs, and CI runs nothing else', () => {
    expect(ciCommands()).toEqual([quickStart()[1]]);
  });

  it('names scripts that exist', () => {
    const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;
    expect(scripts.demo).toBeDefined();
    expect(scripts.test).toBeDefined();
  });
});
