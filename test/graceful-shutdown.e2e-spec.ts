import { Agent, get } from 'node:http';
import { connect, Socket } from 'node:net';
import { closeAll } from './support/close-all';
import { FakePocketful } from './support/fake-pocketful';
import { ReadLoad } from './support/read-load';
import { SpawnedReplica, SpawnedReplicas } from './support/spawned-replicas';
import { until } from './support/until';

const DRAIN_MS = 1_500;
const GRACE_MS = 8_000;
/** Longer than the drain: a login whose code exchange is under way when the listener closes. */
const EXCHANGE_MS = 3_000;
const READ = '/v1/tokens/YA0002';

interface Readiness {
  at: number;
  status: number;
  error?: string;
}

/**
 * A replica told to stop (SIGTERM, as docker stop and Kubernetes send) while reads pour into it and its twin:
 * readiness turns 503 first and requests are still served for the drain; then new connections are refused, the
 * requests in flight (a login among them) finish, kept-alive connections left idle do not hold it up, and it exits 0
 * within the grace. The other replica serves throughout.
 */
describe('a replica stopping under load', () => {
  let fixture: SpawnedReplicas;
  let broker: FakePocketful;
  let replicas: SpawnedReplica[];
  let key: string;
  let load: ReadLoad | null = null;
  const idle = new Agent({ keepAlive: true });
  const sockets: Socket[] = [];

  beforeAll(async () => {
    fixture = await SpawnedReplicas.start({
      clients: [{ name: 'strategy-a', accounts: ['YA0002'] }],
      env: {
        // Every served read is logged, with the request id the client chose.
        LOG_LEVEL: 'debug',
        SHUTDOWN_DRAIN_MS: String(DRAIN_MS),
        SHUTDOWN_GRACE_MS: String(GRACE_MS),
        // Reads go without pause, shared by both replicas: the default budget of a client would run out mid-test.
        RATE_LIMIT_PER_MINUTE: '1000000',
      },
      readyWithinMs: 15_000,
    });
    ({ broker, replicas } = fixture);
    key = fixture.keys['strategy-a'];
    expect((await logIn(replicas[1])).status).toBe(200);
  }, 40_000);

  afterAll(async () => {
    await closeAll(
      () => load?.stop(),
      () => idle.destroy(),
      () => sockets.forEach((socket) => socket.destroy()),
      () => fixture?.close(),
    );
  });

  /** A whole login on `replica`: begun, approved at the broker, and its callback answered; the callback's answer. */
  async function logIn(replica: SpawnedReplica): Promise<Response> {
    const begin = await fetch(`${replica.url}/pocketful/login`, { redirect: 'manual' });
    const location = new URL(begin.headers.get('location')!);
    const code = broker.authorize(location, 'YA0002');
    const cookie = begin.headers.get('set-cookie')!.split(';')[0];
    return fetch(`${replica.url}/pocketful/callback?code=${encodeURIComponent(code)}&state=${location.searchParams.get('state')}`, { headers: { cookie } });
  }

  /** Readiness on a connection of its own, so that kept-alive connections play no part; status 0 when turned away. */
  const readiness = (replica: SpawnedReplica) =>
    new Promise<Readiness>((resolve) => {
      get(`${replica.url}/health/ready`, { agent: false }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ at: Date.now(), status: response.statusCode ?? 0, error: JSON.parse(Buffer.concat(chunks).toString()).error }));
      }).on('error', () => resolve({ at: Date.now(), status: 0 }));
    });

  /** Kept-alive connections that sit idle in a client's pool, the way an HTTP client leaves them between requests. */
  async function idleConnections(replica: SpawnedReplica, count: number): Promise<void> {
    const answers = Array.from(
      { length: count },
      () =>
        new Promise<number>((resolve, reject) => {
          get(`${replica.url}/health/live`, { agent: idle }, (response) => {
            response.resume();
            response.on('end', () => resolve(response.statusCode ?? 0));
          }).on('error', reject);
        }),
    );
    expect(await Promise.all(answers)).toEqual(Array(count).fill(200));
  }

  it('drains, finishes what is in flight, refuses only new connections, and exits 0 within the grace', async () => {
    const [stopping] = replicas;
    load = new ReadLoad(
      replicas.map((replica) => replica.url),
      READ,
      key,
    );
    await until(() => load!.of(0).length > 20 && load!.of(1).length > 20, 10_000, 'reads answered by both replicas');
    expect((await readiness(stopping)).status).toBe(200);

    await idleConnections(stopping, 3);
    // And one opened and never used.
    const silent = connect(stopping.port, '127.0.0.1').on('error', () => undefined);
    sockets.push(silent);
    await new Promise((resolve) => silent.once('connect', resolve));

    // A login whose code exchange is still under way when the listener closes.
    broker.tokenDelayMs = EXCHANGE_MS;
    const exchanges = broker.exchangedCodes.length;
    const login = logIn(stopping);
    await until(() => broker.exchangedCodes.length > exchanges, 5_000, 'the code exchange under way');

    const signalled = Date.now();
    const exited = stopping.vault.stop(GRACE_MS + 5_000);
    const draining = await readinessWhileDraining(stopping);
    const code = await exited;
    const exitedAt = Date.now();
    await until(() => stopping.vault.child.stdout!.readableEnded, 5_000, 'the stopping replica’s output read to its end');
    broker.tokenDelayMs = 0;
    const page = await login;
    // The other replica goes on serving after its twin has gone.
    const servedBefore = load.of(1).length;
    await until(() => load!.of(1).length > servedBefore + 20, 5_000, 'reads answered by the other replica after the exit');
    await load.stop();

    expect(code).toBe(0);
    expect(exitedAt - signalled).toBeLessThan(GRACE_MS);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('YA0002');

    // Readiness said 503 shutting_down from the signal until the listener closed, while reads were still served,
    // each closing its connection.
    expect(draining.length).toBeGreaterThan(1);
    expect(draining.filter(({ status, error }) => status !== 503 || error !== 'shutting_down')).toEqual([]);
    const notReadySince = draining[0].at;
    const servedWhileDraining = load.of(0).filter((read) => read.sentAt > notReadySince && read.status === 200);
    expect(servedWhileDraining.length).toBeGreaterThan(0);
    expect(servedWhileDraining.filter((read) => read.connection !== 'close')).toEqual([]);

    // The stopping replica: every answer a 200, and a connection turned away only once the drain was over.
    const answered = load.of(0).filter((read) => read.status !== undefined);
    expect(answered.filter((read) => read.status !== 200)).toEqual([]);
    const turnedAway = load.of(0).filter((read) => read.error !== undefined);
    expect(turnedAway.length).toBeGreaterThan(0);
    expect(turnedAway.filter((read) => read.error !== 'ECONNREFUSED' && read.error !== 'ECONNRESET')).toEqual([]);
    expect(Math.min(...turnedAway.map((read) => read.at))).toBeGreaterThanOrEqual(signalled + DRAIN_MS);
    // Every read it began, it answered, and the answer reached the client: no request was cut off mid-way.
    expect(servedReadIds(stopping).sort()).toEqual(answered.map((read) => read.id).sort());

    // The other replica: not one failed read.
    expect(load.of(1).filter((read) => read.status !== 200)).toEqual([]);
  }, 60_000);

  /**
   * Readiness, asked again and again from its first 503 (the signal takes a moment to arrive) until the listener is
   * closed: every answer in between.
   */
  async function readinessWhileDraining(replica: SpawnedReplica): Promise<Readiness[]> {
    const answers: Readiness[] = [];
    for (;;) {
      const answer = await readiness(replica);
      if (answer.status === 0) return answers;
      if (answer.status !== 200 || answers.length > 0) answers.push(answer);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The ids of the token reads the replica logged as answered with 200. */
  function servedReadIds(replica: SpawnedReplica): string[] {
    return replica.vault.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg?: string; req?: { id?: string; url?: string }; res?: { statusCode?: number } })
      .filter((line) => line.msg === 'request completed' && line.req?.url === READ && line.res?.statusCode === 200)
      .map((line) => String(line.req!.id));
  }
});
