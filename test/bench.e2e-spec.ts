import { once } from 'node:events';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PacedLoad } from '../scripts/bench/paced-load';
import { turnsOf } from '../scripts/bench/run-bench';
import { Ran, runToEnd } from './support/run-to-end';

const ROOT = join(__dirname, '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const BENCH = join(ROOT, 'dist-scripts', 'scripts', 'bench.js');

/** A node script in its own process; past `timeoutMs` it gets SIGTERM, on which the bench stops all it started. */
function run(args: string[], timeoutMs: number): Promise<Ran> {
  return runToEnd(process.execPath, args, { cwd: ROOT, env: process.env, timeoutMs });
}

/**
 * The smoke of `npm run bench` that CI can afford: it proves the bench runs end to end and that the
 * vault served reads, and asserts no timing, since a shared CI machine gives no stable numbers.
 */
describe('npm run bench', () => {
  let dir: string;

  // npm test builds dist before the tests; the bench's own scripts are compiled here.
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'token-vault-bench-test-'));
    const compiled = await run([TSC, '-p', 'scripts/tsconfig.json'], 60_000);
    if (compiled.code !== 0) throw new Error(`the bench's scripts did not compile:\n${compiled.stdout}${compiled.stderr}`);
  }, 90_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('drives the bare server, the framework server, the hop, the vault and a compared build in rounds, at full speed and at a fixed rate, reports their medians and the targets, and the hop and both builds answer only 200', async () => {
    if (!existsSync(join(ROOT, 'dist', 'vault.js'))) throw new Error('dist/vault.js is missing: npm run build first (npm test does)');
    // The build from "before a change", kept outside dist as a developer would keep it.
    const before = join(dir, 'vault-before.js');
    copyFileSync(join(ROOT, 'dist', 'vault.js'), before);

    const out = join(dir, 'results.json');
    // Half a second each way: what is asserted is that every part ran and reported, not a figure.
    const bench = await run([BENCH, '--duration', '0.5', '--warm-up', '0', '--connections', '8', '--rounds', '2', '--rate', '1000', '--compare', before, '--out', out], 120_000);
    expect({ code: bench.code, stderr: bench.stderr }).toMatchObject({ code: 0 });

    const report = JSON.parse(readFileSync(out, 'utf8'));
    const targets = ['bare', 'framework', 'hop', 'vault', 'compare'];
    expect(Object.keys(report.targets)).toEqual(targets);
    for (const target of targets) {
      expect(typeof report.targets[target].requestsPerSecond).toBe('number');
      expect(report.targets[target].requestsPerSecond).toBeGreaterThan(0);
    }
    // Two rounds, each driving every target; the table's figures are their medians (of two: the mean).
    expect(report.rounds).toHaveLength(2);
    expect(report.settings).toMatchObject({ durationSeconds: 0.5, warmUpSeconds: 0, rounds: 2, rate: 1000 });
    type Round = Record<string, { requestsPerSecond: number }>;
    for (const target of targets) {
      const [one, two] = report.rounds.map((round: Round) => round[target].requestsPerSecond);
      expect(report.targets[target].requestsPerSecond).toBeCloseTo((one + two) / 2, 6);
    }
    // The hop asks a Redis of its own: its CPU is counted with that Redis's, as the vault's is.
    expect(report.targets.hop.redisCpuMicrosPerRequest).toEqual(expect.any(Number));
    expect(report.targets.framework.redisCpuMicrosPerRequest).toBeNull();
    for (const build of [report.targets.hop, report.targets.vault, report.targets.compare]) {
      expect({ non2xx: build.non2xx, errors: build.errors, timeouts: build.timeouts }).toEqual({ non2xx: 0, errors: 0, timeouts: 0 });
      expect(Object.keys(build.statusCodes)).toEqual(['200']);
      expect({ non2xx: build.atRate.non2xx, errors: build.atRate.errors, timeouts: build.atRate.timeouts }).toEqual({ non2xx: 0, errors: 0, timeouts: 0 });
    }
    // The fixed-rate run sends what it is asked, half a second of it at 1,000 a second, and every answer has a latency.
    type AtRateRound = Record<string, { atRate: { rate: number; requests: number; latencyMs: { p50: number; p99: number } } }>;
    for (const round of report.rounds as AtRateRound[]) {
      for (const target of targets) {
        expect(round[target].atRate).toMatchObject({ rate: 1000, requests: 500 });
        expect(round[target].atRate.latencyMs.p99).toBeGreaterThanOrEqual(round[target].atRate.latencyMs.p50);
      }
    }
    // × framework and the fixed rate's p99 × bare are of each round's pair, as × bare is.
    const ofEach = (ratio: (round: AtRateRound & Round) => number) => report.rounds.map(ratio);
    const toFramework = ofEach((round) => round.vault.requestsPerSecond / round.framework.requestsPerSecond);
    expect(report.targets.vault.ratioToFramework).toBeCloseTo((toFramework[0] + toFramework[1]) / 2, 9);
    const p99s = ofEach((round) => round.vault.atRate.latencyMs.p99 / round.bare.atRate.latencyMs.p99);
    expect(report.targets.vault.p99AtRateRatioToBare).toBeCloseTo((p99s[0] + p99s[1]) / 2, 9);
    // The targets are judged on those figures, and the table says which were met.
    const verdicts = Object.fromEntries(report.verdicts.map((verdict: { name: string; value: number; met: boolean }) => [verdict.name, verdict]));
    expect(verdicts['req/s × framework']).toMatchObject({ value: report.targets.vault.ratioToFramework, limit: 0.75, met: report.targets.vault.ratioToFramework >= 0.75 });
    expect(verdicts['p99 at the fixed rate × bare']).toMatchObject({ value: report.targets.vault.p99AtRateRatioToBare, limit: 2, met: report.targets.vault.p99AtRateRatioToBare <= 2 });
    expect(verdicts['peak RSS MiB']).toMatchObject({ value: report.targets.vault.peakRssMiB, limit: 150 });
    expect(verdicts['ready s']).toMatchObject({ value: report.targets.vault.readyMs / 1000, limit: 1 });
    expect(bench.stdout).toMatch(/^targets of the vault: req\/s × framework [\d.]+ \(≥ 0\.75: (met|MISSED)\); p99 at the fixed rate × bare [\d.]+ \(≤ 2: (met|MISSED)\)/m);
    // × bare is of each round's pair; the table's footer gives the rounds' spread beside it.
    for (const target of ['framework', 'hop', 'vault', 'compare']) {
      const ofRounds = report.rounds.map((round: Round) => round[target].requestsPerSecond / round.bare.requestsPerSecond);
      expect(report.targets[target].ratioToBare).toBeCloseTo((ofRounds[0] + ofRounds[1]) / 2, 9);
      expect(report.targets[target].ratioRange).toEqual([Math.min(...ofRounds), Math.max(...ofRounds)]);
    }
    const [lowVault, highVault] = report.targets.vault.ratioRange;
    expect(bench.stdout).toMatch(new RegExp(`^× bare, lowest–highest round: framework [\\d.]+–[\\d.]+, hop [\\d.]+–[\\d.]+, vault ${lowVault.toFixed(2)}–${highVault.toFixed(2)}, compare `, 'm'));
    // Beside the hop, too, each round's pair.
    const overHop = ofEach((round) => round.vault.requestsPerSecond / round.hop.requestsPerSecond);
    const p99OverHop = ofEach((round) => round.vault.atRate.latencyMs.p99 / round.hop.atRate.latencyMs.p99);
    expect(report.besideHop.ratio).toBeCloseTo((overHop[0] + overHop[1]) / 2, 9);
    expect(report.besideHop.p99AtRateRatio).toBeCloseTo((p99OverHop[0] + p99OverHop[1]) / 2, 9);
    expect(bench.stdout).toContain(
      `the vault ÷ the hop, in the same round: req/s ${report.besideHop.ratio.toFixed(2)}, p99 at the fixed rate ${report.besideHop.p99AtRateRatio.toFixed(2)} (medians).`,
    );
    // The comparison is of each round's pair, not of the medians.
    const ratios = report.rounds.map((round: Round) => round.vault.requestsPerSecond / round.compare.requestsPerSecond);
    expect(report.comparison.bundle).toBe(before);
    expect(report.comparison.vaultOverCompare).toBeCloseTo((ratios[0] + ratios[1]) / 2, 9);
    expect(report.comparison.range).toEqual([Math.min(...ratios), Math.max(...ratios)]);
    expect(bench.stdout).toMatch(/^compare +[\d,]+ /m);
    expect(bench.stdout).toContain(`vault ÷ compare, req/s in the same round: ${report.comparison.vaultOverCompare.toFixed(3)}`);
  }, 180_000);

  it('orders each pair of rounds so that every target follows every other once each way round', () => {
    for (const targets of [['bare', 'framework', 'vault'], ['bare', 'framework', 'vault', 'compare']]) {
      const orders = Array.from({ length: 2 * targets.length }, (_, round) => turnsOf(targets, round));
      for (const order of orders) expect([...order].sort()).toEqual([...targets].sort());
      for (let pair = 0; pair < orders.length; pair += 2) {
        const follows = (order: string[]) => order.slice(1).map((target, index) => `${order[index]}>${target}`);
        const swapped = follows(orders[pair + 1]).map((step) => step.split('>').reverse().join('>'));
        expect(swapped.sort()).toEqual(follows(orders[pair]).sort());
      }
      // Every target opens a round as often as any other: twice in these rounds.
      const opened = orders.map((order) => order[0]);
      expect(targets.map((target) => opened.filter((first) => first === target).length)).toEqual(targets.map(() => 2));
    }
  });

  it('runs its fixed-rate warm-up and measured run on the same connections, so that the measured run opens none', async () => {
    // Each answer is held 20 ms, so that at 200 a second about four are out at once and the warm-up opens all four
    // connections the pool may have; a measured run on a pool of its own would open four more.
    const server = createServer((_request, response) => setTimeout(() => response.end('{}'), 20));
    server.keepAliveTimeout = 60_000;
    let opened = 0;
    server.on('connection', () => (opened += 1));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const load = new PacedLoad(`http://127.0.0.1:${port}/v1/tokens/A`, {}, 200, 4);
    try {
      const warm = await load.run(0.5);
      const openedByWarmUp = opened;
      const measured = await load.run(0.5);
      expect({ warm: warm.statusCodes, measured: measured.statusCodes }).toEqual({ warm: { 200: 100 }, measured: { 200: 100 } });
      expect({ openedByWarmUp, openedByMeasured: opened - openedByWarmUp }).toEqual({ openedByWarmUp: 4, openedByMeasured: 0 });
    } finally {
      await load.close();
      server.closeAllConnections();
      server.close();
    }
  });

  it('refuses a --compare build that does not exist before starting anything', async () => {
    const missing = join(dir, 'no-such-build.js');
    const bench = await run([BENCH, '--compare', missing], 30_000);
    expect(bench.code).toBe(2);
    expect(bench.stderr).toContain(`--compare: ${missing} does not exist`);
    expect(bench.stderr).not.toContain('starting');
  });

  it('refuses an option it does not know, and one without its value, before starting anything', async () => {
    const unknown = await run([BENCH, '--waiters', '5'], 30_000);
    expect({ code: unknown.code, stderr: unknown.stderr.split('\n')[0] }).toEqual({ code: 2, stderr: expect.stringContaining("Unknown option '--waiters'") });
    const bare = await run([BENCH, '--rate'], 30_000);
    expect({ code: bare.code, stderr: bare.stderr.split('\n')[0] }).toEqual({ code: 2, stderr: expect.stringContaining("Option '--rate <value>' argument missing") });
    for (const refused of [unknown, bare]) expect(refused.stderr).not.toContain('starting');
  });

  it('refuses a --duration finer than a millisecond, shorter than a tenth of a second, or not in seconds', async () => {
    for (const duration of ['0.0005', '0.05', '1e3', '5s']) {
      const bench = await run([BENCH, '--duration', duration], 30_000);
      expect({ duration, code: bench.code, stderr: bench.stderr.split('\n')[0] }).toEqual({ duration, code: 2, stderr: '--duration must be a number of seconds from 0.1 to 3600' });
    }
  });

  describe('herd', () => {
    it('holds reads with ?wait and event streams on two replicas, completes a login per account, and reports when each had its token, for this build and a compared one', async () => {
      const before = join(dir, 'vault-before-herd.js');
      copyFileSync(join(ROOT, 'dist', 'vault.js'), before);
      const out = join(dir, 'herd.json');
      const args = ['herd', '--waiters', '20', '--streams', '10', '--accounts', '2', '--clients', '4', '--warm-up-reads', '100', '--runs', '1', '--compare', before, '--out', out];
      const bench = await run([BENCH, ...args], 150_000);
      expect({ code: bench.code, stderr: bench.stderr }).toMatchObject({ code: 0 });

      const report = JSON.parse(readFileSync(out, 'utf8'));
      expect(report.settings).toMatchObject({ waiters: 20, streams: 10, accounts: 2, clients: 4, runs: 1, keepAlive: false, load: 0, warmUpReads: 100, compareBundle: before });
      for (const runs of [report.runs, report.compare.runs]) {
        expect(runs).toHaveLength(1);
        const [herd] = runs;
        // Every held request had its token: none failed, each is timed, split evenly over the two replicas.
        expect(herd.failures).toEqual({});
        expect({ waiters: herd.waiters.count, streams: herd.streams.count }).toEqual({ waiters: 20, streams: 10 });
        expect(herd.replicas.map((replica: { name: string; held: number }) => [replica.name, replica.held])).toEqual([
          ['vault-a', 15],
          ['vault-b', 15],
        ]);
        for (const replica of herd.replicas) expect(replica.waiters.count + replica.streams.count).toBe(15);
        expect(herd.waiters.max).toBeGreaterThanOrEqual(herd.waiters.p99);
        expect(herd.waiters.p99).toBeGreaterThanOrEqual(herd.waiters.p50);
        // One login per account, one after another; each of its waiters' reads left an audit entry in Redis.
        expect(herd.logins.map((login: { account: string }) => login.account)).toEqual(['DESK01', 'DESK02']);
        for (const login of herd.logins) {
          expect(login.waiters.count).toBe(10);
          expect(login.streams.count).toBe(5);
          expect(login.redisCommands.xadd).toBeGreaterThanOrEqual(10);
        }
        expect(herd.callbackMs).toHaveLength(2);
      }
      expect(report.verdicts.map((verdict: { name: string }) => verdict.name)).toEqual(['waiters p99 ms', 'streams p99 ms', 'KiB per held request']);
      expect(bench.stdout).toMatch(/^targets of the herd: waiters p99 ms [\d.]+ \(≤ 100: (met|MISSED)\); streams p99 ms [\d.]+ \(≤ 100: (met|MISSED)\); KiB per held request /m);
      expect(bench.stdout).toContain(`compare: ${before}, in the same runs`);
    }, 180_000);

    it('refuses options it cannot honour before starting anything', async () => {
      const fewer = await run([BENCH, 'herd', '--accounts', '5', '--clients', '2'], 30_000);
      expect(fewer.code).toBe(2);
      expect(fewer.stderr).toContain('--clients must be at least --accounts');
      const missing = join(dir, 'no-such-build.js');
      const absent = await run([BENCH, 'herd', '--compare', missing], 30_000);
      expect(absent.code).toBe(2);
      expect(absent.stderr).toContain(`--compare: ${missing} does not exist`);
      const unknown = await run([BENCH, 'herd', '--rounds', '2'], 30_000);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain("Unknown option '--rounds'");
      for (const refused of [fewer, absent, unknown]) expect(refused.stderr).not.toContain('starting');
    });
  });
});
