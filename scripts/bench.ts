import 'reflect-metadata';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { Cleanup } from './bench/cleanup';
import { formatHerdTable } from './bench/herd-report';
import { HERD_USAGE, parseHerdOptions, parseOptions, USAGE, UsageError } from './bench/options';
import { formatTable } from './bench/report';
import { runBench } from './bench/run-bench';
import { runHerd } from './bench/run-herd';

/**
 * `npm run bench`: how many token reads a second one vault process serves, against a bare node:http server and
 * the bare framework on the same machine. `npm run bench -- herd`: how soon a herd of held reads and event streams
 * on two replicas has a login's token. Progress goes to stderr, the table to stdout.
 */
async function main(): Promise<number> {
  // npm runs scripts from the project root; a relative --out means where the command was typed.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'herd') return herd(rest, cwd);
  const options = optionsOrExit(() => parseOptions(process.argv.slice(2), cwd), USAGE);
  if (typeof options === 'number') return options;

  const cleanup = new Cleanup();
  stopOnSignals(cleanup);
  try {
    const { durationSeconds, warmUpSeconds, connections, rounds, rate, profileDir, compareBundle } = options;
    const report = await runBench({ durationSeconds, warmUpSeconds, connections, rounds, rate, profileDir, compareBundle }, cleanup, (line) => process.stderr.write(`bench: ${line}\n`));
    mkdirSync(dirname(options.out), { recursive: true });
    writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`${formatTable(report)}\n`);
    process.stderr.write(`bench: results written to ${shortPath(cwd, options.out)}\n`);
    let failed = false;
    for (const [name, target] of [['vault', report.targets.vault], ['compared build', report.targets.compare]] as const) {
      const atRate = target?.atRate;
      const refused = target ? target.non2xx + target.errors + (atRate ? atRate.non2xx + atRate.errors + atRate.timeouts : 0) : 0;
      if (refused === 0) continue;
      // Refusals are answered faster than reads: the figures would flatter it.
      process.stderr.write(`bench: ${refused} requests to the ${name} failed or were not answered 2xx (${JSON.stringify(target!.statusCodes)}); its figures do not measure reads\n`);
      failed = true;
    }
    return failed ? 1 : 0;
  } finally {
    await cleanup.run();
  }
}

/**
 * A command's options, or its exit code when there is nothing to run: 0 after printing the usage for --help, 2 for
 * options it cannot honour or a --compare build that is not there, said before anything starts.
 */
function optionsOrExit<T extends { compareBundle: string | null }>(parse: () => T | null, usage: string): T | number {
  let options: T | null;
  try {
    options = parse();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${usage}\n`);
    return 2;
  }
  if (options === null) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (options.compareBundle !== null && !existsSync(options.compareBundle)) {
    process.stderr.write(`--compare: ${options.compareBundle} does not exist (keep a copy of dist/vault.js from before the change)\n`);
    return 2;
  }
  return options;
}

async function herd(argv: string[], cwd: string): Promise<number> {
  const options = optionsOrExit(() => parseHerdOptions(argv, cwd), HERD_USAGE);
  if (typeof options === 'number') return options;
  const cleanup = new Cleanup();
  stopOnSignals(cleanup);
  try {
    const report = await runHerd(options, cleanup, (line) => process.stderr.write(`bench herd: ${line}\n`));
    mkdirSync(dirname(options.out), { recursive: true });
    writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`${formatHerdTable(report)}\n`);
    process.stderr.write(`bench herd: results written to ${shortPath(cwd, options.out)}\n`);
    const missed = [...report.runs, ...(report.compare?.runs ?? [])].flatMap((run) => Object.entries(run.failures));
    // Every held request must have its token: a herd that lost some would flatter the figures.
    for (const [failure, count] of missed) process.stderr.write(`bench herd: ${count} held requests never had their token: ${failure}\n`);
    return missed.length > 0 ? 1 : 0;
  } finally {
    await cleanup.run();
  }
}

function shortPath(cwd: string, path: string): string {
  const near = relative(cwd, path);
  return near && !near.startsWith('..') ? near : path;
}

/** Ctrl-C stops everything started so far; a second one gives up waiting, and the exit hook kills what is left. */
function stopOnSignals(cleanup: Cleanup): void {
  let signalled = false;
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.on(signal, () => {
      if (signalled) process.exit(code);
      signalled = true;
      process.stderr.write(`\nbench: ${signal}: stopping what the bench started\n`);
      void cleanup.run().finally(() => process.exit(code));
    });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    process.stderr.write(`bench failed: ${error.message}\n`);
    process.exitCode = 1;
  },
);
