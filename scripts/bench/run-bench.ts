import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerStub, startBrokerStub } from './broker-stub';
import { Child } from './child';
import { Cleanup } from './cleanup';
import { drive, LoadResult, LoadSettings } from './load';
import { startReferenceServer } from './reference-server';
import { startRedis } from './redis';
import { cpuDuring } from './cpu';
import { BenchReport, buildReport, Measured, PerTarget, targetsOf } from './report';
import { sampleRss } from './rss';
import { seedToken } from './token-seed';
import { freePort } from './free-port';
import { ACCOUNT, callbackUrl, startVault } from './vault';

const ROUTE = `/v1/tokens/${ACCOUNT}`;

/**
 * Starts the vault (with its Redis) first, since its answer is the body the others serve, then the bare and the
 * framework server, and with --compare the other build (with a Redis of its own); then drives them one at a time,
 * round after round, in an order that changes from round to round (turnsOf), so that none is always the one
 * driven in the machine's fastest or slowest minute: each as fast as it answers, then at the fixed rate. The others
 * stay idle while one is driven.
 */
export async function runBench(settings: LoadSettings, cleanup: Cleanup, say: (line: string) => void): Promise<BenchReport> {
  const workDir = mkdtempSync(join(tmpdir(), 'token-vault-bench-'));
  cleanup.add(() => rmSync(workDir, { recursive: true, force: true }));

  say('starting redis-server and the vault');
  const redis = await startRedis(workDir, cleanup);
  const port = await freePort();
  const broker = await startBrokerStub(callbackUrl(port), [ACCOUNT], cleanup);
  const vault = await startVault(workDir, redis.url, broker, cleanup, { profileDir: settings.profileDir ?? null, port });
  const body = await seedToken(vault, broker);
  const bodyFile = join(workDir, 'body.json');
  writeFileSync(bodyFile, body, { mode: 0o600 });
  say('starting the bare and the framework server, and the hop with a Redis of its own');
  const bare = await startReferenceServer('bare', ROUTE, bodyFile, workDir, cleanup);
  const framework = await startReferenceServer('framework', ROUTE, bodyFile, workDir, cleanup);
  const hopDir = join(workDir, 'hop');
  mkdirSync(hopDir);
  const hopRedis = await startRedis(hopDir, cleanup);
  const hop = await startReferenceServer('hop', ROUTE, bodyFile, workDir, cleanup, hopRedis.url);
  // Every target gets the same request, key included, so they parse the same bytes.
  const headers = { authorization: `Bearer ${vault.readerKey}` };

  const drivers: PerTarget<() => Promise<Measured>> = {
    vault: () => measure(vault.child, `${vault.url}${ROUTE}`, headers, settings, vault.readyMs, redis.child),
    bare: () => measure(bare.child, bare.url, headers, settings, bare.readyMs),
    framework: () => measure(framework.child, framework.url, headers, settings, framework.readyMs),
    hop: () => measure(hop.child, hop.url, headers, settings, hop.readyMs, hopRedis.child),
  };
  if (settings.compareBundle) drivers.compare = await startCompared(settings, settings.compareBundle, broker, workDir, cleanup, say);

  const rounds: Array<PerTarget<Measured>> = [];
  for (let round = 0; round < settings.rounds; round += 1) {
    const measured: Partial<PerTarget<Measured>> = {};
    for (const target of turnsOf(targetsOf(drivers), round)) {
      const atRate = settings.rate > 0 ? `, then at ${settings.rate.toLocaleString('en-US')} req/s for as long` : '';
      say(`round ${round + 1} of ${settings.rounds}: driving ${DRIVEN[target]} for ${settings.durationSeconds} s${atRate}`);
      measured[target] = await drivers[target]!();
    }
    rounds.push(measured as PerTarget<Measured>);
  }
  return buildReport(settings, rounds);
}

/**
 * The order of a round. Rounds go in pairs, the second the first reversed, and each pair starts one target further
 * on: whatever one target followed in a pair's first round, it goes before in the second, and every target opens
 * a round as often as any other. Whatever a run leaves behind for the next (a process still collecting its
 * garbage, a Redis still writing its file) then weighs on every target alike.
 */
export function turnsOf<T>(targets: readonly T[], round: number): T[] {
  const start = Math.floor(round / 2) % targets.length;
  const order = [...targets.slice(start), ...targets.slice(0, start)];
  return round % 2 === 0 ? order : order.reverse();
}

const DRIVEN = { bare: 'the bare server', framework: 'the framework server', hop: 'the hop', vault: 'the vault', compare: 'the compared build' } as const;

/**
 * The other build, as the vault itself runs: the same variables, a token of its own in a Redis of its own, so that
 * neither build's writes (audit entries, counters) weigh on the other's reads.
 */
async function startCompared(
  settings: LoadSettings,
  bundle: string,
  broker: BrokerStub,
  workDir: string,
  cleanup: Cleanup,
  say: (line: string) => void,
): Promise<() => Promise<Measured>> {
  say(`starting redis-server and the compared build (${bundle})`);
  const dir = join(workDir, 'compare');
  mkdirSync(dir);
  const redis = await startRedis(dir, cleanup);
  const compared = await startVault(dir, redis.url, broker, cleanup, { bundle, name: 'compare' });
  await seedToken(compared, broker);
  const headers = { authorization: `Bearer ${compared.readerKey}` };
  return () => measure(compared.child, `${compared.url}${ROUTE}`, headers, settings, compared.readyMs, redis.child);
}

async function measure(
  child: Child,
  url: string,
  headers: Record<string, string>,
  settings: LoadSettings,
  readyMs: number,
  redis: Child | null = null,
): Promise<Measured> {
  const rss = sampleRss(child.pid);
  const pids = redis ? [child.pid, redis.pid] : [child.pid];
  let peakRssMiB: number | null;
  let result: LoadResult;
  let atRate: LoadResult | null = null;
  let cpu: Array<number | null> = [];
  try {
    result = await drive(url, headers, settings, async (run) => {
      const measured = await cpuDuring(pids, run);
      cpu = measured.cpuSeconds;
      return measured.result;
    });
    if (settings.rate > 0) atRate = await drive(url, headers, settings, undefined, settings.rate);
  } finally {
    peakRssMiB = rss.stop();
  }
  // A target that died under load would otherwise show up only as a run of connection errors.
  if (child.hasExited) throw new Error(`${child.name} exited under load:\n${child.lastOutput()}`);
  const perRequest = (seconds: number | null | undefined) => (seconds === null || seconds === undefined || result.requests === 0 ? null : (seconds * 1e6) / result.requests);
  return {
    ...result,
    atRate: atRate && { rate: settings.rate, ...atRate },
    peakRssMiB,
    readyMs,
    cpuMicrosPerRequest: perRequest(cpu[0]),
    redisCpuMicrosPerRequest: redis ? perRequest(cpu[1]) : null,
  };
}
