import { closeAll } from './support/close-all';
import { FakePocketful } from './support/fake-pocketful';
import { readToken } from './support/token-requests';
import { SentinelGroup } from './support/redis-sentinel';
import { json, TestVault } from './support/test-vault';
import { until } from './support/until';
import { VaultFixture } from './support/vault-fixture';

const REDIS_PASSWORD = '5f0c2a9e7b3d4186a2c9e0f1b7d3a5c8e2f4b6d8a0c1e3f5';
const SENTINEL_PASSWORD = 'a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d0e2f4';
const ACCOUNTS = ['YA0002', 'YA0003'];

interface Read {
  vault: number;
  account: string;
  at: number;
  status: number;
  error: string | undefined;
  accessToken: string | undefined;
  ms: number;
}

/**
 * Redis under Sentinel, as the compose `sentinel` profile runs it: a master, a replica and three sentinels, two
 * vaults that find the master through the sentinels. The master is killed while both vaults read: reads fail for
 * the failover and no longer, the vaults follow the sentinels to the new master without a restart, and every token
 * stored before the kill is there, because a login is answered only once the replica has its token.
 */
const DOWN_AFTER_MS = 3_000;

describe('two vaults on Redis Sentinel, when the master dies', () => {
  let group: SentinelGroup;
  let fixture: VaultFixture<SentinelGroup>;
  let broker: FakePocketful;
  let vaults: TestVault[];

  beforeAll(async () => {
    // 3 s before a silent master is judged down: at 1 s, sentinels starved of CPU (a cold test run compiling beside
    // them) took the replica for dead as well and never promoted it.
    group = await SentinelGroup.start({ password: REDIS_PASSWORD, sentinelPassword: SENTINEL_PASSWORD, downAfterMs: DOWN_AFTER_MS });
    fixture = await VaultFixture.startOn(group, { env: { LOG_LEVEL: 'info' }, replicas: 2 });
    ({ broker, replicas: vaults } = fixture);
  }, 30_000);

  afterAll(() => closeAll(() => fixture?.close(), () => group?.destroy()));

  async function read(index: number, account: string): Promise<Read> {
    const started = performance.now();
    const response = await vaults[index].fetch(`/v1/tokens/${account}`, { as: 'ops' });
    const body = await json(response);
    return { vault: index, account, at: started, status: response.status, error: body.error, accessToken: body.accessToken, ms: performance.now() - started };
  }

  it('answers a login once the replica holds the token: each token write waits for the replica (WAIT 1)', async () => {
    const master = group.dataClient(group.master.port);
    const replica = group.dataClient(group.replica.port);
    try {
      await master.config('RESETSTAT');
      expect((await vaults[0].login('YA0002', broker)).status).toBe(200);
      expect((await vaults[1].login('YA0003', broker)).status).toBe(200);
      expect(/^cmdstat_wait:calls=2,/m.test(await master.info('commandstats'))).toBe(true);
      // Asked the moment the logins are answered: the replica has both tokens already.
      expect(await replica.exists(...ACCOUNTS.map((account) => `token-vault:token:${account}`))).toBe(2);
    } finally {
      master.disconnect();
      replica.disconnect();
    }
  });

  it('fails reads only for the failover window, then serves every token stored before the kill, from both vaults', async () => {
    const stored = new Map<string, string>();
    for (const account of ACCOUNTS) stored.set(account, await readToken(vaults[0], account, 'ops'));

    const reads: Read[] = [];
    let reading = true;
    const loop = async (index: number) => {
      while (reading) {
        for (const account of ACCOUNTS) reads.push(await read(index, account));
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    };
    const loops = [loop(0), loop(1)];
    let killedAt = 0;
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      killedAt = performance.now();
      group.killMaster();
      // Served again by both vaults, for both accounts, a few times in a row.
      await until(
        () => [0, 1].every((index) => reads.filter((entry) => entry.vault === index && entry.at > killedAt).slice(-6).filter((entry) => entry.status === 200).length === 6),
        // Sentinel's election can take a second round on a loaded machine (failover-timeout 3 s, twice that to retry).
        45_000,
        'both vaults to serve again',
      ).catch(async (error: Error) => {
        // What each vault last answered, and what the sentinels say and logged: enough to tell a failover that never
        // ended from a vault that did not follow it.
        const lastOf = (index: number) =>
          reads
            .filter((entry) => entry.vault === index && entry.at > killedAt)
            .slice(-3)
            .map((entry) => `${entry.status} ${entry.error ?? ''} at +${Math.round(entry.at - killedAt)} ms`);
        throw new Error(`${error.message}\nvault 0 last: ${lastOf(0).join('; ')}\nvault 1 last: ${lastOf(1).join('; ')}\n${await group.report()}`);
      });
    } finally {
      reading = false;
      await Promise.all(loops);
    }

    const afterKill = reads.filter((entry) => entry.at >= killedAt);
    const failures = afterKill.filter((entry) => entry.status !== 200);
    const lastFailureEnd = Math.max(killedAt, ...failures.map((entry) => entry.at + entry.ms));
    const window = lastFailureEnd - killedAt;
    console.log(
      `Sentinel failover: reads failed for ${Math.round(window)} ms after the master was killed ` +
        `(${failures.length} of ${afterKill.length} reads from two vaults; down-after-milliseconds ${DOWN_AFTER_MS})`,
    );
    expect(failures.length).toBeGreaterThan(0);
    expect(window).toBeLessThan(45_000);
    // Never a token missing or a vault error: only "try again shortly", and promptly.
    expect(new Set(failures.map((entry) => `${entry.status} ${entry.error}`))).toEqual(new Set(['503 store_unavailable']));
    expect(Math.max(...failures.map((entry) => entry.ms))).toBeLessThan(5_000);
    // Every read after the last failure served the token stored before the kill.
    for (const entry of afterKill.filter((candidate) => candidate.at > lastFailureEnd)) {
      expect(entry).toMatchObject({ status: 200, accessToken: stored.get(entry.account) });
    }

    expect(await group.masterPort()).toBe(group.replica.port);
    for (const vault of vaults) expect((await vault.fetch('/health/ready')).status).toBe(200);
    // The new master takes writes too.
    expect((await vaults[1].login('YA0002', broker)).status).toBe(200);
  }, 70_000);
});
