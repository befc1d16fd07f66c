import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBrokerStub } from './broker-stub';
import { Child } from './child';
import { Cleanup } from './cleanup';
import { drive, LoadResult, LoadSettings } from './load';
import { startReferenceServer } from './reference-server';
import { startRedis } from './redis';
import { cpuDuring } from './cpu';
import { BenchReport, buildReport, Measured } from './report';
import { sampleRss } from './rss';
import { seedToken } from './token-seed';
import { ACCOUNT, startVault } from './vault';

const ROUTE = `/v1/tokens/${ACCOUNT}`;

/**
 * The vault first, since its answer is the body the others serve; then the bare server, then the framework
 * server. Each is stopped (the vault with its Redis) before the next starts, so every target has the machine to
 * itself while it is driven.
 */
export async function runBench(settings: LoadSettings, cleanup: Cleanup, say: (line: string) => void): Promise<BenchReport> {
  const workDir = mkdtempSync(join(tmpdir(), 'token-vault-bench-'));
  cleanup.add(() => rmSync(workDir, { recursive: true, force: true }));

  say('starting redis-server and the vault');
  const redis = await startRedis(workDir, cleanup);
  const brokerUrl = await startBrokerStub(ACCOUNT, cleanup);
  const vault = await startVault(workDir, redis.url, brokerUrl, cleanup, settings.profileDir ?? null);
  const body = await seedToken(vault);
  const bodyFile = join(workDir, 'body.json');
  writeFileSync(bodyFile, body, { mode: 0o600 });
  // Every target gets the same request, key included, so they parse the same bytes.
  const headers = { authorization: `Bearer ${vault.readerKey}` };

  say(`driving the vault for ${settings.durationSeconds} s`);
  const vaultRun = await measure(vault.child, `${vault.url}${ROUTE}`, headers, settings, vault.readyMs, redis.child);
  await vault.child.stop(10_000);
  await redis.child.stop();

  const reference = async (kind: 'bare' | 'framework'): Promise<Measured> => {
    const server = await startReferenceServer(kind, ROUTE, bodyFile, workDir, cleanup);
    say(`driving the ${kind} server for ${settings.durationSeconds} s`);
    const result = await measure(server.child, server.url, headers, settings, server.readyMs);
    await server.child.stop();
    return result;
  };
  const bare = await reference('bare');
  const framework = await reference('framework');
  return buildReport(settings, { bare, framework, vault: vaultRun });
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
  let cpu: Array<number | null> = [];
  try {
    result = await drive(url, headers, settings, async (run) => {
      const measured = await cpuDuring(pids, run);
      cpu = measured.cpuSeconds;
      return measured.result;
    });
  } finally {
    peakRssMiB = rss.stop();
  }
  // A target that died under load would otherwise show up only as a run of connection errors.
  if (child.hasExited) throw new Error(`${child.name} exited under load:\n${child.lastOutput()}`);
  const perRequest = (seconds: number | null | undefined) => (seconds === null || seconds === undefined || result.requests === 0 ? null : (seconds * 1e6) / result.requests);
  return { ...result, peakRssMiB, readyMs, cpuMicrosPerRequest: perRequest(cpu[0]), redisCpuMicrosPerRequest: redis ? perRequest(cpu[1]) : null };
}
