import { ReadLoad, ReadOutcome } from '../../test/support/read-load';
import { until } from '../../test/support/until';
import { tail } from './compose-project';
import { imagesBuilt, lastJson, StackRun, STOP_GRACE_MS } from './default-stack';
import { seconds, sleep } from './steps';

const PROFILE = ['sentinel'];
/** The sentinel vaults' published ports, as the compose file gives them. */
const VAULTS = ['http://127.0.0.1:5002', 'http://127.0.0.1:5003'];
const SERVICES = ['redis-master', 'redis-replica', 'sentinel-1', 'sentinel-2', 'sentinel-3', 'sentinel-vault-1', 'sentinel-vault-2'];
/** The most a failover may keep reads failing. */
const FAILOVER_MS = 10_000;
/** Reads must answer 200 this long, after the failures, for the failover to count as over. */
const SETTLED_MS = 3_000;

interface Outage {
  failed: number;
  kinds: string;
  /** From the first failed read's sending to the last one's answer. */
  ms: number;
}

function outageOf(outcomes: ReadOutcome[]): Outage {
  const failed = outcomes.filter((outcome) => outcome.status !== 200);
  if (failed.length === 0) return { failed: 0, kinds: '', ms: 0 };
  const kinds = [...new Set(failed.map((outcome) => String(outcome.status ?? outcome.error)))].join(', ');
  return { failed: failed.length, kinds, ms: Math.max(...failed.map((outcome) => outcome.at)) - Math.min(...failed.map((outcome) => outcome.sentAt)) };
}

async function tokenAt(base: string, key: string): Promise<string> {
  const response = await fetch(`${base}/v1/tokens/YA0002`, { headers: { authorization: `Bearer ${key}` } });
  if (response.status !== 200) throw new Error(`${base} answered ${response.status}`);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

async function masterName(stack: StackRun): Promise<string> {
  const ran = await stack.project.must(['exec', '-T', 'sentinel-1', 'redis-cli', '-p', '26379', 'sentinel', 'get-master-addr-by-name', 'vault-master'], { profiles: PROFILE });
  return ran.stdout.trim().split('\n')[0];
}

export async function checkSentinelStack(stack: StackRun): Promise<void> {
  const { project, steps, keys } = stack;
  let stored = '';

  await steps.step('docker compose --profile sentinel up -d --build sentinel-vault-1 sentinel-vault-2: all healthy', async () => {
    const up = await project.must(['up', '-d', '--build', 'sentinel-vault-1', 'sentinel-vault-2'], { profiles: PROFILE });
    const output = up.stdout + up.stderr;
    const built = imagesBuilt(output);
    // --build builds the one image again; its layers are those of the first build.
    if (built !== 1) throw new Error(`the sentinel vaults' up built ${built} images, not 1`);
    // BuildKit numbers each step (#N [service stage k/n] …) and says "#N CACHED" of those it did not run again
    // (a FROM is looked up each time, never "cached").
    const buildSteps = new Set([...output.matchAll(/^#(\d+) \[[^\]]+ \d+\/\d+\] (?!FROM )/gm)].map((match) => match[1]));
    const cached = [...buildSteps].filter((step) => new RegExp(`^#${step} CACHED$`, 'm').test(output)).length;
    const ms = await project.healthy(SERVICES, PROFILE);
    return `${SERVICES.length} services healthy ${seconds(up.ms + ms)} after up (the image built again: ${cached} of ${buildSteps.size} steps from cache)`;
  });

  await steps.step('the sentinels see the master and its replica', async () => {
    const ran = await project.must(['exec', '-T', 'sentinel-1', 'redis-cli', '-p', '26379', 'sentinel', 'replicas', 'vault-master'], { profiles: PROFILE });
    if (!ran.stdout.includes('redis-replica')) throw new Error(`sentinel-1 knows no replica of vault-master:\n${tail(ran)}`);
    const master = await masterName(stack);
    if (master !== 'redis-master') throw new Error(`the master is ${master}`);
    return 'master redis-master, replica redis-replica';
  });

  await steps.step('a sandbox login on sentinel-vault-1, read on both sentinel vaults', async () => {
    // In the vault's own container: the sandbox's pages and REDIRECT_URL name 127.0.0.1:5000, the vault's address there.
    const ran = await project.nodeIn('sentinel-vault-1', stack.programs.sandboxLogin, ['http://127.0.0.1:5000', 'YA0002', 'sentinel-login'], { profiles: PROFILE });
    const login = lastJson<{ status: number; code: string | null }>(ran.stdout);
    if (login.status !== 200) throw new Error(`the login answered ${login.status} (${login.code})`);
    const tokens = await Promise.all(VAULTS.map((base) => tokenAt(base, keys.ops)));
    if (tokens[0] !== tokens[1]) throw new Error('the sentinel vaults read different tokens');
    stored = tokens[0];
    return 'stored; 200 on :5002 and :5003';
  });

  await steps.step(`docker compose stop redis-master under reads: failed over with at most ${seconds(FAILOVER_MS)} of failed reads`, async () => {
    const load = new ReadLoad(VAULTS, '/v1/tokens/YA0002', keys.ops, 2);
    let stop;
    try {
      await sleep(1000);
      stop = await project.compose(['stop', 'redis-master'], { profiles: PROFILE });
      const stoppedAt = Date.now();
      // Over once each vault has failed reads behind it and has answered only 200 for a while since.
      await until(
        () =>
          VAULTS.every((_, target) => {
            const outcomes = load.of(target);
            const lastFailure = outcomes.filter((outcome) => outcome.status !== 200).pop();
            const settledSince = lastFailure ? lastFailure.at : stoppedAt;
            return Date.now() - settledSince > SETTLED_MS && outcomes.some((outcome) => outcome.sentAt > settledSince && outcome.status === 200);
          }) && Date.now() - stoppedAt > SETTLED_MS,
        60_000,
        'reads answered 200 again on both sentinel vaults',
      );
    } finally {
      await load.stop();
    }
    if (stop.code !== 0) throw new Error(`docker compose stop redis-master exited ${stop.code}: ${tail(stop)}`);
    const outages = VAULTS.map((_, target) => outageOf(load.of(target)));
    const described = outages.map((outage, target) =>
      outage.failed === 0 ? `${VAULTS[target]}: none failed` : `${VAULTS[target]}: ${outage.failed} failed (${outage.kinds}) over ${seconds(outage.ms)}`,
    );
    const tooLong = outages.filter((outage) => outage.ms > FAILOVER_MS);
    if (tooLong.length > 0) throw new Error(`reads failed for too long\n${described.join('\n')}`);
    const notUnavailable = outages.filter((outage) => outage.failed > 0 && outage.kinds !== '503');
    if (notUnavailable.length > 0) throw new Error(`reads failed otherwise than 503\n${described.join('\n')}`);
    const master = await masterName(stack);
    if (master !== 'redis-replica') throw new Error(`the sentinels still name ${master} the master`);
    const after = await Promise.all(VAULTS.map((base) => tokenAt(base, keys.ops)));
    if (after.some((token) => token !== stored)) throw new Error('the token read after the failover is not the one stored before');
    const total = load.outcomes.length;
    return `master now redis-replica; ${total} reads, the token stored before served after\n${described.join('\n')}`;
  });

  await steps.step('docker compose stop of the sentinel vaults: exit 0 within their grace', async () => {
    const graces = await Promise.all(['sentinel-vault-1', 'sentinel-vault-2'].map((service) => project.stopTimeout(service, PROFILE)));
    if (graces.some((grace) => grace * 1000 !== STOP_GRACE_MS)) throw new Error(`the sentinel vaults' containers are given ${graces.join(' and ')} s to stop`);
    const stop = await project.must(['stop', 'sentinel-vault-1', 'sentinel-vault-2'], { profiles: PROFILE });
    const states = (await project.states(PROFILE)).filter((state) => state.Service.startsWith('sentinel-vault-'));
    const unclean = states.filter((state) => state.State !== 'exited' || state.ExitCode !== 0);
    if (unclean.length > 0) throw new Error(unclean.map((state) => `${state.Service} ${state.State}, exit code ${state.ExitCode}`).join('; '));
    return `stopped in ${seconds(stop.ms)} (grace ${graces[0]} s), exit code 0`;
  });
}
