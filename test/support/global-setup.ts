import { spawnSync } from 'node:child_process';
import { locate, planInstall, processesRunning, REQUIRED_TOOLS, thisMachine } from './required-tools';

/**
 * Before any test: the programs the tests run for real (redis-server, chromium, python3, openssl, promtool) are found, or
 * installed when this machine allows it (root or sudo without a password, with apt-get), or the run stops at once
 * with one message saying how to install them. No test is skipped for want of a tool, and a service that came with
 * one (the Prometheus server, with promtool) is left stopped: the run stops if it is not.
 */
export default async function globalSetup(): Promise<void> {
  const missing = REQUIRED_TOOLS.filter((tool) => locate(tool) === null);
  const plan = planInstall(missing, thisMachine());
  if (plan.kind === 'nothing') return;
  if (plan.kind === 'stop') stop(plan.message);
  process.stderr.write(`\nThe tests need ${plan.packages.join(' and ')}, not installed here: installing them with apt-get.\n`);
  for (const command of plan.commands) {
    process.stderr.write(`$ ${command.join(' ')}\n`);
    const run = spawnSync(command[0], command.slice(1), { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (run.status !== 0) stop(`${command.join(' ')} failed (exit ${run.status ?? run.signal}); install ${plan.packages.join(' and ')} by hand and run npm test again.`);
  }
  const still = REQUIRED_TOOLS.filter((tool) => locate(tool) === null);
  if (still.length > 0) stop(`apt-get finished, but ${still.map((tool) => tool.name).join(' and ')} still cannot be found.`);
  for (const service of missing.flatMap((tool) => (tool.service ? [tool.service] : []))) {
    const running = processesRunning(service.executable);
    if (running.length > 0) stop(`${service.name} came with a tool and still runs after it was stopped (process ${running.join(', ')}): stop it by hand.`);
  }
  process.stderr.write(`Installed ${plan.packages.join(' and ')}.\n`);
}

function stop(message: string): never {
  process.stderr.write(`\n${message}\n`);
  process.exit(1);
}
