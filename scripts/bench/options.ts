import { isAbsolute, resolve } from 'node:path';
import { parseArgs, ParseArgsConfig } from 'node:util';

export interface BenchOptions {
  durationSeconds: number;
  /** How long each run is driven, unmeasured, before it is measured. */
  warmUpSeconds: number;
  connections: number;
  /** How many times each target is driven, the targets taken in turn. */
  rounds: number;
  /** Requests a second of the fixed-rate run; 0 for none. */
  rate: number;
  /** Absolute path of the JSON results. */
  out: string;
  /** Where the vault writes a CPU profile of its run (node --cpu-prof), or null. */
  profileDir: string | null;
  /** Absolute path of another build of dist/vault.js to drive beside this one, or null. */
  compareBundle: string | null;
}

export const USAGE = `npm run bench -- [--duration SECONDS] [--warm-up SECONDS] [--connections N] [--rounds N] [--rate N] [--out FILE] [--profile DIR] [--compare FILE]

Drives a bare node:http server, a NestJS-on-Fastify server (the framework's ceiling), the hop (that server
answering once one GET has come back from a Redis of its own) and the vault (with its own Redis), one at a time:
as fast as each answers (autocannon), then at a fixed rate. Prints req/s and its ratio to the bare and the
framework server, p50/p99 latency at full speed and at the fixed rate (and that p99's ratio to the
bare server's), CPU per request, peak RSS and time to ready, and whether the vault meets its targets.

  --duration SECONDS   how long each target is driven in a round, each way, after a 1-second warm-up (default 5;
                       a fraction such as 0.5 for a smoke run)
  --warm-up SECONDS    how long each run is driven, unmeasured, before it is measured (default 1; 0: none, for a
                       smoke run only, since V8 has then not optimised the path)
  --connections N      concurrent connections (default 64)
  --rate N             requests a second of the fixed-rate run, sent on a steady clock whether or not earlier ones
                       were answered, each one's latency counted from when it is handed to the connection pool
                       (default 5000; 0: no such run)
  --rounds N           rounds, each driving every target once, in turn (default 6); the table shows the
                       median of the rounds, so that a machine whose speed drifts during the run (a shared
                       virtual machine's does) does not favour whichever target ran in its fast minute
  --out FILE           where the results are written as JSON (default bench-results.json)
  --profile DIR        run the vault with node --cpu-prof, writing its profile into DIR (open it in Chrome's
                       DevTools or speedscope)
  --compare FILE       also drive another build of the vault's bundle (a copy of dist/vault.js kept from before
                       a change), with the same settings and a Redis of its own, in every round; the table adds
                       its row and the median of the rounds' vault ÷ compare req/s (best with an even --rounds,
                       since the order of the targets goes in pairs of rounds)

The vault runs with RATE_LIMIT_PER_MINUTE=1000000, the most it allows. A run that reads faster than that in a
minute gets 429s; the bench then says so and exits 1, since refusals would flatter the vault's figures.

npm run bench -- herd --help: the market-open herd, reads held with ?wait and event streams woken by a login.`;

export class UsageError extends Error {}

/** node's parseArgs, with what it refuses (an unknown option, a missing value) as a UsageError. */
function parsedOrRefused<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** `null` when help was asked for. */
export function parseOptions(argv: string[], cwd: string): BenchOptions | null {
  const values = parsedOrRefused(argv, {
    duration: { type: 'string', default: '5' },
    'warm-up': { type: 'string', default: '1' },
    connections: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '6' },
    rate: { type: 'string', default: '5000' },
    out: { type: 'string', default: 'bench-results.json' },
    profile: { type: 'string' },
    compare: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) return null;
  return {
    durationSeconds: seconds('--duration', values.duration, 0.1, 3600),
    warmUpSeconds: wholeNumber('--warm-up', values['warm-up'], 0, 60),
    connections: wholeNumber('--connections', values.connections, 1, 10_000),
    rounds: wholeNumber('--rounds', values.rounds, 1, 20),
    rate: wholeNumber('--rate', values.rate, 0, 1_000_000),
    out: absolute(values.out, cwd),
    profileDir: values.profile === undefined ? null : absolute(values.profile, cwd),
    compareBundle: values.compare === undefined ? null : absolute(values.compare, cwd),
  };
}

const absolute = (path: string, cwd: string) => (isAbsolute(path) ? path : resolve(cwd, path));

/** Seconds, to the millisecond: a smoke run drives each target for a fraction of one. */
function seconds(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+(\.\d{1,3})?$/.test(text) || value < min || value > max) throw new UsageError(`${name} must be a number of seconds from ${min} to ${max}`);
  return value;
}

function wholeNumber(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw new UsageError(`${name} must be a whole number from ${min} to ${max}`);
  return value;
}

export interface HerdOptions {
  /** Reads held with `?wait`, split over the two replicas. */
  waiters: number;
  /** Event streams held, split the same way. */
  streams: number;
  /** The desk's accounts, the waiters and streams spread over them; one login each, one after another. */
  accounts: number;
  /** Service clients (a desk's strategies), each with a key of its own for one account. */
  clients: number;
  /** The waiters' connections kept alive after the answer, as fetch keeps them; else closed, as urllib asks. */
  keepAlive: boolean;
  /** Plain reads a second of another account on each replica during the logins; 0 for none. */
  load: number;
  /** Plain reads on each replica before each RSS reading, to warm the read's path and fill the young generation. */
  warmUpReads: number;
  runs: number;
  out: string;
  profileDir: string | null;
  /** Another build of dist/vault.js, run the same way in every run, or null. */
  compareBundle: string | null;
}

export const HERD_USAGE = `npm run bench -- herd [--waiters N] [--streams N] [--accounts N] [--clients N] [--keep-alive] [--load N] [--warm-up-reads N] [--runs N] [--out FILE] [--profile DIR] [--compare FILE]

The market-open herd: two vault replicas on one Redis hold reads waiting for a token (?wait=30) and event streams,
split evenly between them, for the accounts of a desk that has not logged in yet; then each account's login is
completed through the first replica, one after another. Every waiter and stream is timed from the moment its
account's login callback is sent to the moment its token (or its token.stored event) has arrived. Prints, for each
run, p50/p99/max of the waiters and of the streams, the callback's own time, each replica's RSS before holding and
while holding (and per held request) and its CPU during the herd, then whether the targets were met.

  --waiters N    reads held with ?wait=30 (default 1000)
  --streams N    event streams held (default 500)
  --accounts N   accounts they wait for, one login each (default 5: a desk's handful; 1 puts the whole herd on one)
  --clients N    service clients holding them, each with its own key for one account (default 100)
  --keep-alive   the waiters ask to keep their connections, as fetch (and the TypeScript client) does; by default
                 they ask the vault to close them once answered (Connection: close), as urllib (and the Python
                 client) does, which costs the vault a close per answer in the herd
  --load N       each replica also serves N plain reads a second of another account, from a second before the
                 first login to after the last herd, as at market open (default 0: none)
  --warm-up-reads N  plain reads on each replica before each RSS reading (default 5000; fewer make RSS per held
                 request less comparable, for a quick check)
  --runs N       runs, each with its own Redis and replicas (default 3)
  --out FILE     where the results are written as JSON (default bench-herd-results.json)
  --profile DIR  run both replicas with node --cpu-prof, writing their profiles into DIR
  --compare FILE also run another build of the vault's bundle (a copy of dist/vault.js kept from before a change)
                 in every run, the two builds taking turns to go first; the table adds its runs and medians`;

/** The options after `herd`; `null` when help was asked for. */
export function parseHerdOptions(argv: string[], cwd: string): HerdOptions | null {
  const values = parsedOrRefused(argv, {
    waiters: { type: 'string', default: '1000' },
    streams: { type: 'string', default: '500' },
    accounts: { type: 'string', default: '5' },
    clients: { type: 'string', default: '100' },
    'keep-alive': { type: 'boolean', default: false },
    load: { type: 'string', default: '0' },
    'warm-up-reads': { type: 'string', default: '5000' },
    runs: { type: 'string', default: '3' },
    out: { type: 'string', default: 'bench-herd-results.json' },
    profile: { type: 'string' },
    compare: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) return null;
  const options: HerdOptions = {
    compareBundle: values.compare === undefined ? null : absolute(values.compare, cwd),
    waiters: wholeNumber('--waiters', values.waiters, 0, 20_000),
    streams: wholeNumber('--streams', values.streams, 0, 20_000),
    accounts: wholeNumber('--accounts', values.accounts, 1, 99),
    clients: wholeNumber('--clients', values.clients, 1, 1000),
    keepAlive: values['keep-alive'],
    load: wholeNumber('--load', values.load, 0, 100_000),
    warmUpReads: wholeNumber('--warm-up-reads', values['warm-up-reads'], 0, 1_000_000),
    runs: wholeNumber('--runs', values.runs, 1, 20),
    out: absolute(values.out, cwd),
    profileDir: values.profile === undefined ? null : absolute(values.profile, cwd),
  };
  if (options.waiters + options.streams === 0) throw new UsageError('--waiters and --streams cannot both be 0');
  if (options.clients < options.accounts) throw new UsageError('--clients must be at least --accounts: each account needs a client that may read it');
  return options;
}
