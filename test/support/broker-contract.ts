import { BrokerAdapter } from '../../src/brokers/broker-adapter';
import { BrokerError } from '../../src/brokers/broker-error';

/**
 * A broker's stand-in on a local port, as the contract drives it: the person's side of the login (what the broker's
 * page does with the browser), and the broker's own moods. Each adapter's spec makes one around its fake.
 */
export interface BrokerContractSubject {
  /** The adapter under test, pointed at the stand-in, with a short deadline (`timeoutMs`). */
  adapter: BrokerAdapter;
  timeoutMs: number;
  /** The redirect URL the adapter was configured with: where the broker sends the browser back. */
  redirectUrl: string;
  /** Every secret the adapter was configured with (API secret, and the like): none may reach an error. */
  secrets: string[];
  /** The person logs in as `account` at the login page `loginUrl` and approves: the URL the browser is sent back to. */
  approve(loginUrl: URL, account: string): URL;
  /** The person cancels at the login page: the URL the browser is sent back to. */
  deny(loginUrl: URL): URL;
  /** The broker ends the token (a logout everywhere, a login elsewhere). */
  kill(accessToken: string): void;
  /** The next call to the broker answers only after `ms`. */
  delayNext(ms: number): void;
  /** The next call answers with this HTTP status and the broker's own error body. */
  failNext(status: number): void;
  /** The next refusal copies into its message whatever secret the call carried (code, secret, checksum), as is. */
  echoNext(): void;
}

/** A broker's fake as the contract drives it: the person at its login page, and its moods (fake-broker-server.ts). */
export type ContractFake = Pick<BrokerContractSubject, 'approve' | 'deny' | 'kill' | 'delayNext' | 'failNext' | 'echoNext'>;

/** The subject of an adapter against its fake: what the adapter was given, and the fake's side, bound to the fake. */
export function contractSubject(fake: ContractFake, given: Pick<BrokerContractSubject, 'adapter' | 'timeoutMs' | 'redirectUrl' | 'secrets'>): BrokerContractSubject {
  return {
    ...given,
    approve: (loginUrl, account) => fake.approve(loginUrl, account),
    deny: (loginUrl) => fake.deny(loginUrl),
    kill: (accessToken) => fake.kill(accessToken),
    delayNext: (ms) => fake.delayNext(ms),
    failNext: (status) => fake.failNext(status),
    echoNext: () => fake.echoNext(),
  };
}

const query = (url: URL) => Object.fromEntries(url.searchParams) as Record<string, string>;

/** The BrokerError a call failed with; fails the test if it succeeded or failed otherwise. */
export async function failureOf(work: Promise<unknown>): Promise<BrokerError> {
  const error = await work.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof BrokerError)) throw new Error(`expected a BrokerError, got ${String(error)}`);
  return error;
}

/**
 * What every broker adapter must do, run against each one's stand-in. `subject` is made afresh for each test (in
 * the spec's beforeEach), and its fake closed by the spec.
 */
export function brokerContract(subject: () => BrokerContractSubject): void {
  const loginAs = async (account: string, state = 'state-0123456789abcdef') => {
    const { adapter } = subject();
    const start = await adapter.loginStart(state);
    const back = subject().approve(new URL(start.url), account);
    const outcome = adapter.readCallback(query(back));
    if (outcome.kind !== 'code') throw new Error(`the login was refused: ${outcome.reason}`);
    return { start, back, outcome };
  };

  describe('the broker contract', () => {
    it('sends the browser to the login page and reads the code from the way back, which holds the same state when the broker returns one', async () => {
      const { adapter } = subject();
      const { back, outcome } = await loginAs('AB1234', 'state-kept-through-the-broker');
      expect(`${back.origin}${back.pathname}`).toBe(subject().redirectUrl);
      expect(outcome).toEqual({ kind: 'code', code: expect.any(String) });
      // The login service checks it from the query (login.service.ts); a broker that returns none has the cookie's.
      expect(back.searchParams.get('state')).toBe(adapter.returnsState ? 'state-kept-through-the-broker' : null);
    });

    it('exchanges the code for a token whose whoami names the account that logged in', async () => {
      const { adapter } = subject();
      const { start, outcome } = await loginAs('AB1234');
      if (outcome.kind !== 'code') throw new Error('unreachable');
      const grant = await adapter.exchange(outcome.code, start);
      expect(grant.accessToken).toEqual(expect.any(String));
      if (grant.account !== undefined) expect(grant.account).toBe('AB1234');
      expect(await adapter.whoami(grant.accessToken)).toEqual({ account: 'AB1234' });
    });

    it('refuses a code exchanged twice, as rejected', async () => {
      const { adapter } = subject();
      const { start, outcome } = await loginAs('AB1234');
      if (outcome.kind !== 'code') throw new Error('unreachable');
      await adapter.exchange(outcome.code, start);
      expect((await failureOf(adapter.exchange(outcome.code, start))).failure).toBe('rejected');
    });

    it('reads a cancelled login as refused, with the state when the broker sends it back', async () => {
      const { adapter } = subject();
      const start = await adapter.loginStart('state-of-a-cancelled-login');
      const outcome = adapter.readCallback(query(subject().deny(new URL(start.url))));
      expect(outcome.kind).toBe('refused');
    });

    it('says unauthorized of a token the broker ended, and nothing of it when the broker is slow or down', async () => {
      const { adapter } = subject();
      const { start, outcome } = await loginAs('AB1234');
      if (outcome.kind !== 'code') throw new Error('unreachable');
      const grant = await adapter.exchange(outcome.code, start);
      subject().delayNext(subject().timeoutMs * 3);
      expect((await failureOf(adapter.whoami(grant.accessToken))).failure).toBe('timeout');
      subject().failNext(503);
      expect((await failureOf(adapter.whoami(grant.accessToken))).failure).toBe('unavailable');
      expect(await adapter.whoami(grant.accessToken)).toEqual({ account: 'AB1234' });
      subject().kill(grant.accessToken);
      expect((await failureOf(adapter.whoami(grant.accessToken))).failure).toBe('unauthorized');
    });

    it('keeps the code, the token and its secrets out of every error, even when the broker echoes them', async () => {
      const { adapter } = subject();
      const { start, outcome } = await loginAs('AB1234');
      if (outcome.kind !== 'code') throw new Error('unreachable');
      const grant = await adapter.exchange(outcome.code, start);
      subject().echoNext();
      const exchange = await failureOf(adapter.exchange(outcome.code, start));
      subject().kill(grant.accessToken);
      subject().echoNext();
      const whoami = await failureOf(adapter.whoami(grant.accessToken));
      for (const error of [exchange, whoami]) {
        const said = `${error.message} ${error.brokerCode ?? ''} ${JSON.stringify(error)}`;
        for (const secret of [outcome.code, grant.accessToken, ...subject().secrets]) expect(said).not.toContain(secret);
      }
    });

    it("ends a token no later than the broker's next cut-off, or its lifetime, after its issue", async () => {
      const { adapter } = subject();
      const { start, outcome } = await loginAs('AB1234');
      if (outcome.kind !== 'code') throw new Error('unreachable');
      const grant = await adapter.exchange(outcome.code, start);
      const issuedAt = new Date();
      const expiresAt = adapter.expiresAt(grant, issuedAt);
      expect(adapter.cutoff !== null || adapter.lifetimeMs !== null).toBe(true);
      if (adapter.cutoff !== null) expect(expiresAt.getTime()).toBeLessThanOrEqual(adapter.cutoff.nextAfter(issuedAt).getTime());
      if (adapter.lifetimeMs !== null) expect(expiresAt.getTime()).toBeLessThanOrEqual(issuedAt.getTime() + adapter.lifetimeMs);
      expect(expiresAt.getTime()).toBeGreaterThan(issuedAt.getTime());
    });
  });
}
