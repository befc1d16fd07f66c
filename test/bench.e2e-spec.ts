import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A command in its own process; past `timeoutMs` it gets SIGTERM, on which the bench stops all it started. */
function run(args: string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const stuck = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(stuck);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * The 2-second smoke of `npm run bench` that CI can afford: it proves the bench runs end to end and that the
 * vault served reads, and asserts no timing, since a shared CI machine gives no stable numbers.
 */
describe('npm run bench', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'token-vault-bench-test-'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('drives the bare server, the framework server and the vault in rounds, reports their medians, and the vault answers only 200', async () => {
    // npm test builds dist before the tests; the bench's own scripts are compiled here.
    if (!existsSync(join(ROOT, 'dist', 'vault.js'))) throw new Error('dist/vault.js is missing: npm run build first (npm test does)');
    const compiled = await run([TSC, '-p', 'scripts/tsconfig.json'], 60_000);
    expect(compiled).toMatchObject({ code: 0 });

    const out = join(dir, 'results.json');
    const bench = await run([join(ROOT, 'dist-scripts', 'scripts', 'bench.js'), '--duration', '2', '--connections', '8', '--rounds', '2', '--out', out], 90_000);
    expect({ code: bench.code, stderr: bench.stderr }).toMatchObject({ code: 0 });

    const report = JSON.parse(readFileSync(out, 'utf8'));
    for (const target of ['bare', 'framework', 'vault']) {
      expect(typeof report.targets[target].requestsPerSecond).toBe('number');
      expect(report.targets[target].requestsPerSecond).toBeGreaterThan(0);
    }
    // Two rounds, each driving every target; the table's figures are their medians (of two: the mean).
    expect(report.rounds).toHaveLength(2);
    for (const target of ['bare', 'framework', 'vault']) {
      const [one, two] = report.rounds.map((round: Record<string, { requestsPerSecond: number }>) => round[target].requestsPerSecond);
      expect(report.targets[target].requestsPerSecond).toBeCloseTo((one + two) / 2, 6);
    }
    const vault = report.targets.vault;
    expect({ non2xx: vault.non2xx, errors: vault.errors, timeouts: vault.timeouts }).toEqual({ non2xx: 0, errors: 0, timeouts: 0 });
    expect(Object.keys(vault.statusCodes)).toEqual(['200']);
  }, 180_000);
});
