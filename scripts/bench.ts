import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { Cleanup } from './bench/cleanup';
import { parseOptions, USAGE, UsageError } from './bench/options';
import { formatTable } from './bench/report';
import { runBench } from './bench/run-bench';

/**
 * `npm run bench`: how many token reads a second one vault process serves, against a bare node:http server and
 * the bare framework on the same machine. Progress goes to stderr, the table to stdout.
 */
async function main(): Promise<number> {
  // npm runs scripts from the project root; a relative --out means where the command was typed.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  let options;
  try {
    options = parseOptions(process.argv.slice(2), cwd);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === null) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  const cleanup = new Cleanup();
  stopOnSignals(cleanup);
  try {
    const { durationSeconds, connections, rounds, profileDir } = options;
    const report = await runBench({ durationSeconds, connections, rounds, profileDir }, cleanup, (line) => process.stderr.write(`bench: ${line}\n`));
    mkdirSync(dirname(options.out), { recursive: true });
    writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`${formatTable(report)}\n`);
    process.stderr.write(`bench: results written to ${shortPath(cwd, options.out)}\n`);
    const refused = report.targets.vault.non2xx + report.targets.vault.errors;
    if (refused > 0) {
      // Refusals are answered faster than reads: the vault's figures would flatter it.
      process.stderr.write(`bench: ${refused} requests to the vault failed or were not answered 2xx (${JSON.stringify(report.targets.vault.statusCodes)}); its figures do not measure reads\n`);
      return 1;
    }
    return 0;
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
