import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';

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

Drives a bare node:http server, a NestJS-on-Fastify server (the framework's ceiling) and the vault (with its own
Redis), one at a time: as fast as each answers (autocannon), then at a fixed rate. Prints req/s and its ratio to
the bare and the framework server, p50/p99 latency at full speed and at the fixed rate (and that p99's ratio to the
bare server's), CPU per request, peak RSS and time to ready, and whether the vault meets its targets.

  --duration SECONDS   how long each target is driven in a round, each way, after a 1-second warm-up (default 5)
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
minute gets 429s; the bench then says so and exits 1, since refusals would flatter the vault's figures.`;

export class UsageError extends Error {}

/** `null` when help was asked for. */
export function parseOptions(argv: string[], cwd: string): BenchOptions | null {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        duration: { type: 'string', default: '5' },
        'warm-up': { type: 'string', default: '1' },
        connections: { type: 'string', default: '64' },
        rounds: { type: 'string', default: '6' },
        rate: { type: 'string', default: '5000' },
        out: { type: 'string', default: 'bench-results.json' },
        profile: { type: 'string' },
        compare: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) return null;
  return {
    durationSeconds: wholeNumber('--duration', values.duration, 1, 3600),
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

function wholeNumber(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw new UsageError(`${name} must be a whole number from ${min} to ${max}`);
  return value;
}
