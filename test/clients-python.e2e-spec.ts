import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeAll } from './support/close-all';
import { ConsumerCluster, LIMITED_BUDGET } from './support/consumer-cluster';
import { ConsumerClusterControl } from './support/consumer-cluster-control';
import { python3Path } from './support/required-tools';

const CLIENT_DIR = join(__dirname, '..', 'clients', 'python');

/** The test classes of test_client.py. */
const SUITES = [...readFileSync(join(CLIENT_DIR, 'test_client.py'), 'utf8').matchAll(/^class ([A-Z]\w*)\((?:_AgainstTheVault|unittest\.TestCase)\):/gm)].map(
  (match) => match[1],
);

/** unittest -v's line for each test: `test_name (test_client.Class.test_name) ... ok` (Python 3.9: `(test_client.Class)`). */
const OUTCOME = /^(\w+) \(test_client\.(\w+)[.\w]*\) \.\.\. (.*)$/gm;

/**
 * The Python client (clients/python/token_vault_client.py) against the same vaults as the TypeScript one: its
 * unittest suite, run once by python3 with the vaults' addresses, keys and a control URL in its environment, and
 * reported here class by class.
 */
describe('the Python client, against two vault replicas on one Redis', () => {
  let python: string;
  let cluster: ConsumerCluster;
  let control: ConsumerClusterControl;
  const running = new Set<ChildProcess>();
  let run: { code: number | null; output: string };

  beforeAll(async () => {
    // The test setup found python3 or installed it before any test ran (test/support/global-setup.ts).
    python = python3Path();
    cluster = await ConsumerCluster.start();
    control = await new ConsumerClusterControl(cluster).start();
    run = await unittest();
  }, 150_000);

  afterAll(async () => {
    for (const child of running) child.kill('SIGKILL');
    await closeAll(() => control?.stop(), () => cluster?.close());
  });

  function unittest(): Promise<{ code: number | null; output: string }> {
    const env = {
      PATH: process.env.PATH ?? '',
      PYTHONDONTWRITEBYTECODE: '1',
      PYTHONUNBUFFERED: '1',
      VAULT_URL: cluster.replicas[0].url,
      VAULT_OTHER_URL: cluster.replicas[1].url,
      VAULT_LIMITED_URL: cluster.limited.url,
      VAULT_LIMITED_BUDGET: String(LIMITED_BUDGET),
      VAULT_CONTROL_URL: control.url,
      VAULT_READER_KEY: cluster.keyOf('strategy-a'),
      VAULT_BURSTY_KEY: cluster.keyOf('bursty'),
      VAULT_ADMIN_KEY: cluster.keyOf('ops'),
    };
    return new Promise((resolve, reject) => {
      const child = spawn(python, ['-m', 'unittest', '-v', 'test_client'], { cwd: CLIENT_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
      running.add(child);
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('error', reject);
      child.once('close', (code) => {
        running.delete(child);
        resolve({ code, output });
      });
    });
  }

  it('runs every test of test_client.py, skipping none, and exits 0', () => {
    expect(SUITES).toEqual(
      expect.arrayContaining(['Caching', 'WaitingForTheLogin', 'ReportingARefusedToken', 'RateLimited', 'WhenTheVaultCannotAnswer', 'TheServiceKey']),
    );
    // The whole output on a failure: unittest's report of what failed and why.
    expect(`exit ${run.code}\n${run.output}`).toMatch(/^exit 0\n[\s\S]*\nOK\n?$/);
    expect(run.output).not.toMatch(/skipped/i);
  });

  it.each(SUITES)('passes test_client.%s', (suite) => {
    const outcomes = [...(run?.output ?? '').matchAll(OUTCOME)].filter((match) => match[2] === suite).map((match) => `${match[1]}: ${match[3]}`);
    expect(outcomes.length).toBeGreaterThan(0);
    expect(outcomes.filter((outcome) => !outcome.endsWith(': ok'))).toEqual([]);
  });
});
