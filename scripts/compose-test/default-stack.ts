import 'reflect-metadata';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { clientFor, newServiceKey, writeClientsFile } from '../../src/access/clients-file';
import { ReadLoad } from '../../test/support/read-load';
import { ComposeProject, run, tail } from './compose-project';
import { StackSecrets, writeDotEnv } from './operator-checkout';
import { seconds, sleep, Steps } from './steps';

/** The proxy, as the README gives the fleet's one address. */
export const PROXY = 'http://127.0.0.1:5000';
/** The image's user, who must be able to read the clients file. */
const IMAGE_UID = 1000;
const KEY = /\btvk_[A-Za-z0-9_-]{43}\b/;
const DEFAULT_SERVICES = ['redis', 'vault-1', 'vault-2', 'proxy'];
/** Docker's own kill timeout is 10 s, SHUTDOWN_GRACE_MS's default too; the vaults' stop_grace_period says 15 s. */
export const STOP_GRACE_MS = 15_000;
/** How soon a removed key must be refused, from the clients file's rewrite. */
const REVOCATION_MS = 5_000;

export interface StackRun {
  project: ComposeProject;
  steps: Steps;
  secrets: StackSecrets;
  /** The programs that run in a container or on this machine (plain JavaScript, Node's fetch). */
  programs: { sandboxLogin: string; refusalWatch: string };
  /** Service keys made with the clients command, by client name. */
  keys: Record<string, string>;
}

interface LoginResult {
  account: string;
  status: number;
  code: string | null;
  steps: Array<{ step: string; id: string; status: number }>;
}

const read = (base: string, account: string, key: string) => fetch(`${base}/v1/tokens/${account}`, { headers: { authorization: `Bearer ${key}` } });

/** The number of images a build's output says it made: BuildKit names each once, the classic builder tags each. */
export const imagesBuilt = (output: string): number => (output.match(/ naming to \S+|^Successfully tagged /gm) ?? []).length;

/** Whether the vault's own user can still read the clients file, as the image runs it. */
function ownedByImageUser(path: string): string | null {
  const folder = statSync(join(path, '..'));
  const file = statSync(path);
  const mode = (file.mode & 0o777).toString(8);
  if (folder.uid === IMAGE_UID && file.uid === IMAGE_UID && mode === '600') return null;
  return `service-keys is uid ${folder.uid}, clients.json uid ${file.uid} mode 0${mode}, not the image's user's (uid ${IMAGE_UID}, 0600)`;
}

/** The JSON line a program printed last. */
export function lastJson<T>(stdout: string): T {
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as T;
}

/** A key the clients command printed, from `docker compose run --rm clients add NAME …`. */
async function addClient(project: ComposeProject, args: string[]): Promise<string> {
  // -T: no terminal here; an operator at one leaves it out.
  const ran = await project.must(['run', '--rm', '-T', 'clients', 'add', ...args]);
  const key = KEY.exec(ran.stdout)?.[0];
  if (!key) throw new Error(`the clients command printed no key:\n${tail(ran)}`);
  return key;
}

/** Which of the replicas logged a request with this id. */
function replicaOf(logs: Record<string, string>, id: string): string {
  const found = Object.entries(logs)
    .filter(([, log]) => log.includes(`"id":"${id}"`))
    .map(([service]) => service);
  return found.join('+') || 'no replica';
}

export async function checkDefaultStack(stack: StackRun): Promise<void> {
  const { project, steps, keys } = stack;

  await steps.step('compose runs the default stack with or without REDIS_SENTINEL_PASSWORD in .env', async () => {
    writeDotEnv(project.dir, stack.secrets, false);
    await project.must(['config', '--quiet']);
    await project.must(['ps']);
    writeDotEnv(project.dir, stack.secrets, true);
    const config = JSON.parse((await project.must(['config', '--format', 'json'], { profiles: ['sentinel'] })).stdout) as {
      services: Record<string, { environment?: Record<string, string | null> }>;
    };
    const passwordOf = (service: string) => config.services[service]?.environment?.REDIS_SENTINEL_PASSWORD;
    for (const vault of ['vault-1', 'vault-2']) {
      if (passwordOf(vault) !== '') throw new Error(`${vault} is given the sentinel password from .env`);
    }
    for (const vault of ['sentinel-vault-1', 'sentinel-vault-2']) {
      if (passwordOf(vault) !== stack.secrets.sentinelPassword) throw new Error(`${vault} is not given REDIS_SENTINEL_PASSWORD from .env`);
    }
    return 'config and ps run without it; with it, the sentinel vaults get it and vault-1, vault-2 get it blank';
  });

  await steps.step('docker compose build: the image, once', async () => {
    const ran = await project.must(['build']);
    const built = imagesBuilt(ran.stdout + ran.stderr);
    if (built !== 1) throw new Error(`docker compose build built ${built} images, not 1`);
    const inspected = await run('docker', ['image', 'inspect', '--format', '{{.Config.User}}', 'token-vault:local'], project.dir);
    if (inspected.code !== 0 || inspected.stdout.trim() !== 'node') throw new Error(`token-vault:local is not there, run as node: ${tail(inspected)}`);
    return `token-vault:local built once in ${seconds(ran.ms)}`;
  });

  await steps.step('docker compose run --rm clients: a file made on this machine handed over, keys added', async () => {
    // As npm run clients on this machine writes it: 0600, owned by whoever ran it (root, for npm run test:compose).
    const file = join(project.dir, 'service-keys', 'clients.json');
    mkdirSync(join(project.dir, 'service-keys'));
    keys['host-made'] = newServiceKey();
    writeClientsFile(file, [clientFor('host-made', keys['host-made'], ['YA0003'], false)]);
    const made = statSync(file);
    const listed = await project.must(['run', '--rm', '-T', 'clients', 'list']);
    if (!listed.stdout.includes('host-made')) throw new Error(`clients list does not show the file's client:\n${tail(listed)}`);
    const handedOver = ownedByImageUser(file);
    if (handedOver) throw new Error(`after clients list, ${handedOver}`);
    keys['strategy-a'] = await addClient(project, ['strategy-a', '--accounts', 'YA0002']);
    keys.ops = await addClient(project, ['ops', '--accounts', '*', '--admin']);
    const added = ownedByImageUser(file);
    if (added) throw new Error(`after clients add, ${added}`);
    return `clients.json made by uid ${made.uid} (0${(made.mode & 0o777).toString(8)}), then uid ${IMAGE_UID}, 0600; keys for strategy-a and ops`;
  });

  await steps.step('docker compose up -d: every service healthy', async () => {
    const up = await project.must(['up', '-d']);
    if (imagesBuilt(up.stdout + up.stderr) !== 0) throw new Error('docker compose up built the image again');
    const ms = await project.healthy(DEFAULT_SERVICES);
    const running = (await project.states()).map((state) => state.Service).sort();
    if (running.join() !== [...DEFAULT_SERVICES].sort().join()) throw new Error(`up started ${running.join(', ')}`);
    return `${DEFAULT_SERVICES.join(', ')} healthy ${seconds(up.ms + ms)} after up`;
  });

  await steps.step('GET /health/ready through the proxy', async () => {
    const response = await fetch(`${PROXY}/health/ready`);
    if (response.status !== 200) throw new Error(`answered ${response.status}: ${await response.text()}`);
    return '200';
  });

  await steps.step('sandbox logins through the proxy, begun on either replica', async () => {
    const logins: LoginResult[] = [];
    for (const account of ['YA0002', 'YA0003']) {
      const ran = await run(process.execPath, [stack.programs.sandboxLogin, PROXY, account, `compose-login-${account}`], project.dir);
      logins.push(lastJson<LoginResult>(ran.stdout));
    }
    const logs = { 'vault-1': await project.logs('vault-1'), 'vault-2': await project.logs('vault-2') };
    const paths = logins.map((login) => {
      const at = (step: string) => replicaOf(logs, login.steps.find((candidate) => candidate.step === step)?.id ?? '');
      return { login, begin: at('begin'), decide: at('decide'), callback: at('callback') };
    });
    const described = paths.map(({ login, begin, decide, callback }) => `${login.account}: begun on ${begin}, code issued on ${decide}, callback on ${callback}`);
    const failed = paths.filter(({ login }) => login.status !== 200);
    if (failed.length > 0) {
      throw new Error(`${failed.map(({ login }) => `${login.account} answered ${login.status} (${login.code})`).join('; ')}\n${described.join('\n')}`);
    }
    // Round robin sends the two logins' first requests to the two replicas: each replica began one.
    if (new Set(paths.map(({ begin }) => begin)).size !== 2) throw new Error(`the logins did not begin on both replicas\n${described.join('\n')}`);
    if (paths.some(({ decide, callback }) => decide !== callback)) throw new Error(`a code went to another replica than the one that issued it\n${described.join('\n')}`);
    return described.join('\n');
  });

  await steps.step('GET /v1/tokens/YA0002 through the proxy, from both replicas', async () => {
    const answers = await Promise.all([0, 1].map(async () => {
      const response = await read(PROXY, 'YA0002', keys['strategy-a']);
      return { status: response.status, body: (await response.json()) as { accessToken?: string; source?: string } };
    }));
    if (answers.some((answer) => answer.status !== 200)) throw new Error(`answered ${answers.map((answer) => answer.status).join(', ')}`);
    if (!answers[0].body.accessToken || answers[0].body.accessToken !== answers[1].body.accessToken) throw new Error('the two reads gave different tokens');
    // The key from the file made on this machine, before the clients command took it over, works too.
    const hostMade = await read(PROXY, 'YA0003', keys['host-made']);
    if (hostMade.status !== 200) throw new Error(`the key of the file made on this machine answered ${hostMade.status}`);
    return `200 twice, the token the login stored (source ${answers[0].body.source}); YA0003 with the host-made key 200`;
  });

  await steps.step('docker compose run --rm clients remove: the key refused by both replicas', async () => {
    const watchers = ['vault-1', 'vault-2'].map((service) => ({
      service,
      ...project.nodeInStreaming(service, stack.programs.refusalWatch, ['http://127.0.0.1:5000', 'YA0002', '30'], { WATCH_KEY: keys['strategy-a'] }),
    }));
    for (const watcher of watchers) {
      const first = await watcher.lines.next();
      const status = first.done ? null : (JSON.parse(first.value) as { first: number }).first;
      if (status !== 200) throw new Error(`${watcher.service} answered the key ${status} before it was removed`);
    }
    await project.must(['run', '--rm', '-T', 'clients', 'remove', 'strategy-a']);
    const rewrittenAt = statSync(join(project.dir, 'service-keys', 'clients.json')).mtimeMs;
    const found: string[] = [];
    for (const watcher of watchers) {
      const last = await watcher.lines.next();
      await watcher.done;
      const refusedAt = last.done ? null : (JSON.parse(last.value) as { refusedAt: number | null }).refusedAt;
      if (refusedAt === null) throw new Error(`${watcher.service} still served the removed key 30 s later`);
      const after = refusedAt - rewrittenAt;
      if (after > REVOCATION_MS) throw new Error(`${watcher.service} refused the removed key ${seconds(after)} after the file changed`);
      found.push(`${watcher.service} ${seconds(after)}`);
    }
    const proxied = await read(PROXY, 'YA0002', keys['strategy-a']);
    if (proxied.status !== 401) throw new Error(`the proxy answered the removed key ${proxied.status}`);
    return `401 from the file's rewrite: ${found.join(', ')}`;
  });

  await steps.step('docker compose stop vault-1 under load: exit 0 within its grace, every read answered', async () => {
    const load = new ReadLoad([PROXY], '/v1/tokens/YA0002', keys.ops, 2);
    let stop;
    try {
      await sleep(1000);
      stop = await project.compose(['stop', 'vault-1']);
      await sleep(2000);
    } finally {
      await load.stop();
    }
    if (stop.code !== 0) throw new Error(`docker compose stop vault-1 exited ${stop.code}: ${tail(stop)}`);
    const grace = await project.stopTimeout('vault-1');
    if (grace * 1000 !== STOP_GRACE_MS) throw new Error(`vault-1's container is given ${grace} s to stop`);
    if (stop.ms >= STOP_GRACE_MS) throw new Error(`docker compose stop took ${seconds(stop.ms)}, its grace is ${seconds(STOP_GRACE_MS)}`);
    const vault = (await project.states()).find((state) => state.Service === 'vault-1');
    if (vault?.State !== 'exited' || vault.ExitCode !== 0) throw new Error(`vault-1 is ${vault?.State}, exit code ${vault?.ExitCode}`);
    const unanswered = load.outcomes.filter((outcome) => outcome.status !== 200);
    if (unanswered.length > 0) {
      const kinds = [...new Set(unanswered.map((outcome) => outcome.status ?? outcome.error))].join(', ');
      throw new Error(`${unanswered.length} of ${load.outcomes.length} reads were not answered 200 (${kinds})`);
    }
    return `stop took ${seconds(stop.ms)} (grace ${grace} s), exit code 0; ${load.outcomes.length} reads, every one 200`;
  });

  await steps.step('docker compose stop: the default stack', async () => {
    const stop = await project.must(['stop']);
    const left = (await project.states()).filter((state) => state.State !== 'exited');
    if (left.length > 0) throw new Error(`still ${left.map((state) => `${state.Service} ${state.State}`).join(', ')}`);
    return `stopped in ${seconds(stop.ms)}`;
  });
}
