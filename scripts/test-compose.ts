// npm run test:compose: the compose stack under a real Docker engine, as the README runs it. In a copy of this
// checkout (so the developer's .env and service keys stay out of it) and under a project name of its own, it builds
// the image, makes service keys with the clients command, brings the stack up, and checks what the README promises:
// every service healthy; readiness, sandbox logins and token reads through the proxy; a removed key refused by both
// replicas within 5 s; a replica stopped under load exiting 0 with every read answered; then the sentinel profile
// surviving its master's stop. It removes the project (containers, networks, volumes) and the copy at the end, also
// when a check fails or it is interrupted; the image token-vault:local stays, as a build's would.
// Not part of npm test: it needs a Docker engine (README, Running in a trading cluster).
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Cleanup } from './bench/cleanup';
import { projectRoot } from './bench/project-root';
import { ComposeProject, run, tail } from './compose-test/compose-project';
import { checkDefaultStack, StackRun } from './compose-test/default-stack';
import { copyCheckout, newSecrets } from './compose-test/operator-checkout';
import { checkSentinelStack } from './compose-test/sentinel-stack';
import { Steps } from './compose-test/steps';

/** The host ports the compose file publishes: the proxy, and the sentinel profile's two vaults. */
const PUBLISHED_PORTS = [5000, 5002, 5003];

const say = (line: string) => process.stdout.write(`${line}\n`);

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Docker and Compose v2 answer, and the ports the stack publishes are free. */
async function engine(): Promise<string> {
  const docker = await run('docker', ['version', '--format', '{{.Server.Version}}'], process.cwd()).catch(() => null);
  if (!docker || docker.code !== 0) {
    throw new Error(`no Docker engine answers (docker version: ${docker ? tail(docker, 3) : 'no docker command'}); start one first (README, Running in a trading cluster)`);
  }
  const compose = await run('docker', ['compose', 'version', '--short'], process.cwd());
  if (compose.code !== 0 || !/^v?2\./.test(compose.stdout.trim())) throw new Error(`docker compose is not Compose v2: ${tail(compose, 3)}`);
  const taken = [];
  for (const port of PUBLISHED_PORTS) if (!(await portFree(port))) taken.push(port);
  if (taken.length > 0) throw new Error(`127.0.0.1:${taken.join(', :')} in use: the stack publishes ${PUBLISHED_PORTS.join(', ')} (is another stack up?)`);
  return `Docker ${docker.stdout.trim()}, Compose ${compose.stdout.trim()}`;
}

/** What the stack looked like when a check failed: each container's state, and the end of each one's log. */
async function showState(project: ComposeProject): Promise<void> {
  const profiles = ['sentinel', 'tools'];
  const states = await project.states(profiles).catch(() => []);
  for (const state of states) {
    say(`--- ${state.Service}: ${state.State} ${state.Health ?? ''} (exit ${state.ExitCode})`);
    const logs = await project.compose(['logs', '--no-color', '--no-log-prefix', '--tail', '15', state.Service], { profiles });
    // Compose clears each line (ESC [2K) even with --no-color.
    say(logs.stdout.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').trimEnd());
  }
}

async function main(): Promise<number> {
  const root = projectRoot();
  const steps = new Steps(say);
  const cleanup = new Cleanup('test:compose');
  let interrupted = false;
  const interrupt = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    say('interrupted: removing the project');
    void cleanup.run().then(() => process.exit(130));
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);

  say('npm run test:compose');
  let project: ComposeProject | null = null;
  try {
    await steps.step('a Docker engine with Compose v2, the published ports free', engine);
    const dir = copyCheckout(root);
    cleanup.add(() => rmSync(dir, { recursive: true, force: true }));
    const stackProject = new ComposeProject(dir, `token-vault-test-${randomBytes(4).toString('hex')}`);
    project = stackProject;
    say(`  project ${stackProject.name}, in ${dir}`);
    cleanup.add(async () => {
      const down = await stackProject.compose(['down', '--volumes', '--remove-orphans', '--timeout', '5'], { profiles: ['sentinel', 'tools'] });
      if (down.code !== 0) throw new Error(`docker compose down exited ${down.code}: ${tail(down, 5)}`);
      say(`  removed project ${stackProject.name} (containers, network, volumes) in ${(down.ms / 1000).toFixed(1)} s`);
    });
    const stack: StackRun = {
      project: stackProject,
      steps,
      secrets: newSecrets(),
      programs: { sandboxLogin: join(root, 'scripts/compose-test/sandbox-login.mjs'), refusalWatch: join(root, 'scripts/compose-test/refusal-watch.mjs') },
      keys: {},
    };
    await checkDefaultStack(stack);
    await checkSentinelStack(stack);
    return 0;
  } catch (error) {
    if (!steps.failed) say(`FAIL ${(error as Error).message}`);
    // Interrupted, the project is being removed already: nothing is left to show.
    if (project && !interrupted) await showState(project);
    return 1;
  } finally {
    await cleanup.run();
    say(steps.summary());
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`test:compose: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
