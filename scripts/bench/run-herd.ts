import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientFor, newServiceKey } from '../../src/access/clients-file';
import { BrokerStub, startBrokerStub } from './broker-stub';
import { Cleanup } from './cleanup';
import { preciseCpuSeconds } from './cpu';
import { freePort } from './free-port';
import type { Arrival, HeldTarget } from './herd-holder';
import { buildHerdReport, HerdReport, HerdRun, LoadFigures, LoginFigures, ReplicaFigures, spreadOf } from './herd-report';
import { HolderProcess } from './holder-process';
import { drive } from './load';
import { request } from './http';
import { approveLogin, sendCallback } from './login';
import type { HerdOptions } from './options';
import { commandCounts, startRedis } from './redis';
import { residentKiB } from './rss';
import { seedToken } from './token-seed';
import { ACCOUNT, callbackUrl, StartedVault, startVault, vaultSecrets } from './vault';

/**
 * Plain reads of another account on each replica before anything is measured: its young generation is then in
 * use (V8 keeps 2 × 16 MiB of it, `--min-semi-space-size=16`, touched only as it is first allocated), so that RSS
 * before holding is not a fresh process's, and the read's path is warm, as a replica's is by market open. The same
 * reads again once everything is held, before RSS is read again. How many: --warm-up-reads (5,000 by default).
 */
/** Between a change and the RSS read after it: the young generation's next scavenge, and the kernel's accounting. */
const SETTLE_MS = 1000;
/** Between one account's herd and the next login: a person logs in to accounts one after another. */
const BETWEEN_LOGINS_MS = 300;
const REPLICAS = ['vault-a', 'vault-b'] as const;
/**
 * The commands Redis ran during each login and its herd, scripts' own included: the script calls of the reads (and
 * of the login) and the microseconds Redis spent in them, the audit entries and the event (XADD), the tokens read (GET).
 */
const COUNTED = ['evalsha', 'evalsha_usec', 'xadd', 'get'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The desk's accounts, none of which has a token when the herd gathers. */
export const deskAccounts = (count: number): string[] => Array.from({ length: count }, (_, index) => `DESK${String(index + 1).padStart(2, '0')}`);

/**
 * Each run on a Redis and two replicas of its own, stopped before the next starts. With --compare, each run is of
 * both builds, one after the other, the first going second in the next run: a host whose pace drifts weighs on both.
 */
export async function runHerd(options: HerdOptions, cleanup: Cleanup, say: (line: string) => void): Promise<HerdReport> {
  const runs: HerdRun[] = [];
  const compareRuns: HerdRun[] = [];
  const builds = [{ bundle: undefined, runs }, ...(options.compareBundle ? [{ bundle: options.compareBundle, runs: compareRuns }] : [])];
  for (let run = 0; run < options.runs; run += 1) {
    for (const build of run % 2 === 0 ? builds : [...builds].reverse()) {
      const own = new Cleanup();
      cleanup.add(() => own.run());
      try {
        say(`run ${run + 1} of ${options.runs}${build.bundle ? ` of the compared build (${build.bundle})` : ''}`);
        build.runs.push(await herdRun(options, build.bundle, own, say));
      } finally {
        await own.run();
      }
    }
  }
  return buildHerdReport(options, runs, options.compareBundle ? compareRuns : null);
}

interface DeskClient {
  name: string;
  key: string;
  account: string;
}

async function herdRun(options: HerdOptions, bundle: string | undefined, cleanup: Cleanup, say: (line: string) => void): Promise<HerdRun> {
  const workDir = mkdtempSync(join(tmpdir(), 'token-vault-herd-'));
  cleanup.add(() => rmSync(workDir, { recursive: true, force: true }));
  const accounts = deskAccounts(options.accounts);
  const clients: DeskClient[] = Array.from({ length: options.clients }, (_, index) => ({
    name: `desk-strategy-${index + 1}`,
    key: newServiceKey(),
    account: accounts[index % accounts.length],
  }));
  const perReplica = targetsOf(options, clients);

  const redis = await startRedis(workDir, cleanup);
  const ports = [await freePort(), await freePort()];
  // One app at the broker, whose callback is the first replica's: a login is completed there.
  const broker = await startBrokerStub(callbackUrl(ports[0]), [ACCOUNT, ...accounts], cleanup);
  const secrets = vaultSecrets(
    workDir,
    clients.map((client) => clientFor(client.name, client.key, [client.account], false)),
  );
  // Only a --clients well below the herd would need more than the default bound of 100 a client on a replica.
  const env = { HELD_REQUESTS_PER_CLIENT: String(Math.max(100, ...perReplica.map(mostOfOneClient))) };
  say(`starting redis-server and two replicas${options.profileDir ? ` (profiles into ${options.profileDir})` : ''}`);
  const replicas: StartedVault[] = [];
  for (const [index, name] of REPLICAS.entries()) {
    replicas.push(await startVault(workDir, redis.url, broker, cleanup, { name, port: ports[index], secrets, env, profileDir: options.profileDir, bundle }));
  }
  if (options.profileDir) say(`profiles: ${replicas.map((replica) => `${replica.child.name} is pid ${replica.child.pid}`).join(', ')}`);
  await seedToken(replicas[0], broker);
  const holders = replicas.map(() => HolderProcess.start(cleanup));

  // The same plain reads, then a pause, before each RSS is read: what they leave in the heap is alike both times, and
  // the second time they move what the held requests keep out of the young generation, where RSS would not see it.
  const warm = async () => {
    await Promise.all(holders.map((holder, index) => holder.order({ kind: 'warm', port: ports[index], path: `/v1/tokens/${ACCOUNT}`, key: secrets.readerKey, reads: options.warmUpReads }, 'warm')));
    await sleep(SETTLE_MS);
    return replicas.map((replica) => residentKiB(replica.child.pid));
  };
  say(`warming up: ${options.warmUpReads} reads of ${ACCOUNT} on each replica`);
  const rssBefore = await warm();

  say(`holding ${options.waiters} reads with ?wait=30 and ${options.streams} event streams over the two replicas`);
  await Promise.all(holders.map((holder, index) => holder.order({ kind: 'hold', targets: perReplica[index].map((target) => ({ ...target, port: ports[index] })) }, 'sent')));
  const held = await Promise.all(replicas.map((replica, index) => untilHeld(replica, countsOf(perReplica[index]))));
  const rssHeld = await warm();

  const processes: HerdProcesses = { replicas: replicas.map((replica) => replica.child.pid), redis: redis.child.pid, holders: holders.map((holder) => holder.pid) };
  const logins: LoginRecord[] = [];
  const completeAll = () => completeLogins(accounts, replicas[0], broker, holders, processes, Number(new URL(redis.url).port), logins, say);
  const load = options.load > 0 ? await underLoad(options.load, accounts.length, replicas, secrets.readerKey, completeAll, say) : (await completeAll(), null);

  const arrivals: Arrival[] = [];
  for (const holder of holders) arrivals.push(...(await holder.order({ kind: 'report' }, 'report')).arrivals);
  return figuresOf(arrivals, logins, replicas, ports, held, rssBefore, rssHeld, load);
}

/** The processes whose CPU a login's herd is measured by: the replicas, Redis, the load generators that hold the herd. */
interface HerdProcesses {
  replicas: number[];
  redis: number;
  holders: number[];
}

/** One login as the bench made it: when its callback went, and what it cost while its herd had its token. */
interface LoginRecord {
  account: string;
  sentAt: bigint;
  callbackMs: number;
  /** CPU seconds each process spent, replicas, Redis, holders, in that order. */
  cpuSeconds: number[];
  redisCommands: Record<string, number>;
}

/**
 * Each account's login, one after another, through `through`: the login begun and approved (untimed), then the
 * callback sent, and its herd waited for: every holder says when each of its held requests of the account has its
 * token (or failed). CPU and Redis's commands are read on either side of that span.
 */
async function completeLogins(
  accounts: string[],
  through: StartedVault,
  broker: BrokerStub,
  holders: HolderProcess[],
  processes: HerdProcesses,
  redisPort: number,
  logins: LoginRecord[],
  say: (line: string) => void,
): Promise<void> {
  const pids = [...processes.replicas, processes.redis, ...processes.holders];
  for (const account of accounts) {
    const login = await approveLogin(through.url, broker, account);
    say(`login of ${account} through ${through.child.name}`);
    const commandsBefore = await commandCounts(redisPort);
    const cpuBefore = pids.map(preciseCpuSeconds);
    const herd = Promise.all(holders.map((holder) => holder.order({ kind: 'expect', account }, 'done', 30_000)));
    const callback = sendCallback(through.url, login);
    const [answer] = await Promise.all([callback.answered, herd]);
    const cpuAfter = pids.map(preciseCpuSeconds);
    const commandsAfter = await commandCounts(redisPort);
    if (answer.status !== 200) throw new Error(`the login callback of ${account} answered ${answer.status}`);
    logins.push({
      account,
      sentAt: callback.sentAt,
      callbackMs: Number(answer.at - callback.sentAt) / 1e6,
      cpuSeconds: pids.map((_, index) => (cpuAfter[index] ?? Number.NaN) - (cpuBefore[index] ?? Number.NaN)),
      redisCommands: Object.fromEntries(COUNTED.map((name) => [name, (commandsAfter[name] ?? 0) - (commandsBefore[name] ?? 0)])),
    });
    await sleep(BETWEEN_LOGINS_MS);
  }
}

/** A run's figures from when each held request had its token, and what each login cost. */
function figuresOf(
  arrivals: Arrival[],
  logins: LoginRecord[],
  replicas: StartedVault[],
  ports: number[],
  held: Array<{ wait: number; events: number }>,
  rssBefore: Array<number | null>,
  rssHeld: Array<number | null>,
  load: LoadFigures | null,
): HerdRun {
  const sentAt = new Map(logins.map((login) => [login.account, login.sentAt]));
  const delays = (kind: Arrival['kind'], which: (arrival: Arrival) => boolean = () => true) =>
    arrivals.filter((arrival) => arrival.kind === kind && arrival.at !== null && which(arrival)).map((arrival) => Number(BigInt(arrival.at!) - sentAt.get(arrival.account)!) / 1e6);
  const failures: Record<string, number> = {};
  for (const arrival of arrivals) if (arrival.failure !== null) failures[arrival.failure] = (failures[arrival.failure] ?? 0) + 1;
  // CPU seconds of process `index` (in LoginRecord.cpuSeconds' order) over every login, as ms; null off Linux.
  const herdMs = (...indexes: number[]) => {
    const seconds = logins.reduce((sum, login) => sum + indexes.reduce((one, index) => one + login.cpuSeconds[index], 0), 0);
    return Number.isNaN(seconds) ? null : seconds * 1000;
  };
  const mib = (kib: number | null) => (kib === null ? null : kib / 1024);
  const figures: ReplicaFigures[] = replicas.map((replica, index) => {
    const count = held[index].wait + held[index].events;
    const before = rssBefore[index];
    const holding = rssHeld[index];
    const here = (arrival: Arrival) => arrival.port === ports[index];
    return {
      name: replica.child.name,
      held: count,
      rssBeforeMiB: mib(before),
      rssHeldMiB: mib(holding),
      kibPerHeld: before === null || holding === null || count === 0 ? null : (holding - before) / count,
      herdCpuMs: herdMs(index),
      waiters: spreadOf(delays('wait', here)),
      streams: spreadOf(delays('events', here)),
    };
  });
  const ofAccount = (account: string) => (arrival: Arrival) => arrival.account === account;
  const redisIndex = replicas.length;
  return {
    logins: logins.map((login): LoginFigures => ({
      account: login.account,
      callbackMs: login.callbackMs,
      waiters: spreadOf(delays('wait', ofAccount(login.account))),
      streams: spreadOf(delays('events', ofAccount(login.account))),
      cpuMs: login.cpuSeconds.slice(0, redisIndex).map((seconds) => seconds * 1000),
      redisCommands: login.redisCommands,
    })),
    waiters: spreadOf(delays('wait')),
    streams: spreadOf(delays('events')),
    callbackMs: logins.map((login) => login.callbackMs),
    replicas: figures,
    redisHerdCpuMs: herdMs(redisIndex),
    holdersHerdCpuMs: herdMs(redisIndex + 1, redisIndex + 2),
    load,
    failures,
  };
}

/** How long the load runs before the first login, and after the last one at the most. */
const LOAD_LEAD_MS = 1000;

/**
 * The logins while each replica serves plain reads of another account at a fixed rate (paced-load.ts), from a load
 * generator of its own: the herd at market open beside the strategies that have their tokens already.
 */
async function underLoad(
  rate: number,
  logins: number,
  replicas: StartedVault[],
  key: string,
  run: () => Promise<void>,
  say: (line: string) => void,
): Promise<LoadFigures> {
  // Long enough for every login and its herd, with the lead on either side; the load ends on its own clock.
  const durationSeconds = Math.ceil((2 * LOAD_LEAD_MS + logins * 1500) / 1000);
  const settings = { durationSeconds, warmUpSeconds: 0, connections: 32, rounds: 1, rate };
  say(`plain reads of ${ACCOUNT} at ${rate} a second on each replica, for ${durationSeconds} s`);
  let started = 0;
  let go: () => void = () => undefined;
  const bothStarted = new Promise<void>((resolve) => (go = resolve));
  const drives = replicas.map((replica) =>
    drive(`${replica.url}/v1/tokens/${ACCOUNT}`, { authorization: `Bearer ${key}` }, settings, (measured) => {
      const result = measured();
      if (++started === replicas.length) go();
      return result;
    }, rate),
  );
  await bothStarted;
  await sleep(LOAD_LEAD_MS);
  await run();
  const results = await Promise.all(drives);
  return {
    rate,
    p99Ms: results.map((result) => result.latencyMs.p99),
    refused: results.reduce((sum, result) => sum + result.non2xx + result.errors + result.timeouts, 0),
  };
}

type Target = Omit<HeldTarget, 'port'> & { client: string };

/**
 * The herd, split evenly between the replicas: waiter i, and stream i, are on replica i mod 2 and belong to client
 * i mod --clients (whose account is its own), so that every account has waiters and streams on both replicas.
 */
function targetsOf(options: HerdOptions, clients: DeskClient[]): Target[][] {
  const split: Target[][] = [[], []];
  const add = (kind: HeldTarget['kind'], count: number) => {
    for (let index = 0; index < count; index += 1) {
      const client = clients[index % clients.length];
      split[index % 2].push({ kind, keepAlive: options.keepAlive, account: client.account, key: client.key, client: client.name });
    }
  };
  add('wait', options.waiters);
  add('events', options.streams);
  return split;
}

function mostOfOneClient(targets: Target[]): number {
  const counts = new Map<string, number>();
  for (const { client } of targets) counts.set(client, (counts.get(client) ?? 0) + 1);
  return Math.max(0, ...counts.values());
}

function countsOf(targets: Target[]): { wait: number; events: number } {
  return { wait: targets.filter((target) => target.kind === 'wait').length, events: targets.filter((target) => target.kind === 'events').length };
}

/**
 * Until the replica says it holds them all: its gauge token_vault_held_requests{kind} at /metrics, which counts a
 * read once it waits (its first read found no token) and a stream once it is open.
 */
async function untilHeld(replica: StartedVault, expected: { wait: number; events: number }, withinMs = 30_000): Promise<{ wait: number; events: number }> {
  const deadline = Date.now() + withinMs;
  let now = { wait: 0, events: 0 };
  while (Date.now() < deadline) {
    const scrape = await request(`${replica.url}/metrics`);
    const gauge = (kind: string) => Number(new RegExp(`^token_vault_held_requests\\{kind="${kind}"\\} (\\d+)$`, 'm').exec(scrape.body)?.[1] ?? 0);
    now = { wait: gauge('wait'), events: gauge('events') };
    if (now.wait >= expected.wait && now.events >= expected.events) return now;
    await sleep(100);
  }
  throw new Error(`${replica.child.name} held ${now.wait} reads and ${now.events} streams after ${withinMs / 1000} s, not ${expected.wait} and ${expected.events}`);
}
