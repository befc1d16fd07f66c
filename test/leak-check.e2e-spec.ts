import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

/** Jest on the two fixtures only, with the environment every test file here runs in. */
function jestOnFixtures(): Promise<{ code: number | null; output: string; killed: boolean }> {
  const config = {
    rootDir: ROOT,
    testEnvironment: '<rootDir>/test/support/leak-checking-environment.ts',
    transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
    testMatch: ['<rootDir>/test/fixtures/*.fixture.ts'],
  };
  const child = spawn(process.execPath, [require.resolve('jest/bin/jest'), '--config', JSON.stringify(config), '--runInBand', '--ci'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // A run the leak would hang is killed, and the test says so.
  let killed = false;
  const limit = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, 60_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(limit);
      resolve({ code, output, killed });
    }),
  );
}

describe('a test file that leaves things open', () => {
  let run: Awaited<ReturnType<typeof jestOnFixtures>>;

  beforeAll(async () => {
    run = await jestOnFixtures();
  }, 90_000);

  it('fails the run, which still ends by itself', () => {
    expect(run.killed).toBe(false);
    expect(run.code).toBe(1);
  });

  it('fails that file only, naming the server and where the timer was set', () => {
    expect(run.output).toMatch(/FAIL test\/fixtures\/leaky\.fixture\.ts/);
    expect(run.output).toMatch(/PASS test\/fixtures\/tidy\.fixture\.ts/);
    expect(run.output).toContain('test/fixtures/leaky.fixture.ts left open');
    expect(run.output).toMatch(/Server: listening on \{"address":"127\.0\.0\.1"/);
    expect(run.output).toMatch(/a timer, set at .*test\/fixtures\/leaky\.fixture\.ts:9:/);
  });
});
