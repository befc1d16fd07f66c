import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { Test } from '@nestjs/testing';
import { RecordingReply } from '../../test/support/recording-reply';
import { ManualClock } from '../../test/support/manual-clock';
import { Clock } from '../clock/clock';
import { loadConfiguration } from '../config/load-configuration';
import { CoordinationStore } from '../coordination/coordination.store';
import { MemoryCoordinationStore } from '../coordination/memory-coordination.store';
import { sha256Hex } from '../crypto/digest';
import { VaultError } from '../errors/vault-error';
import { HttpSettings, httpConfig } from '../http/http.config';
import { RedisKeys } from '../redis/redis-keys';
import { accessConfig, AccessSettings } from './access.config';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { hashOperatorPassword } from './operator-password';
import { OperatorPasswordChecks } from './operator-password-checks';
import { OperatorGuard } from './operator.guard';
import { VerifiedOperators } from './verified-operators';
import { VaultRequest } from './vault-request';

const ADDRESS = '203.0.113.7';
/** The sign-on proxy TRUST_PROXY names, and a host that is not it. */
const PROXY = '10.0.0.5';
const ELSEWHERE = '10.0.0.6';
/** The least cost the vault accepts, to keep the suite quick; the command's default is dearer. */
const QUICK = { log2n: 14, r: 8, p: 1 };
const BUDGET = 3;
const PASSWORD = 'correct horse: battery';
const BASIC_CHALLENGE = 'Basic realm="token-vault", charset="UTF-8"';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;


class LoginRoutes {
  begin() {}
}

function attempt(headers: Record<string, string> = {}, connectedFrom = PROXY, ip = ADDRESS) {
  const request = { ip, headers, socket: { remoteAddress: connectedFrom } } as unknown as VaultRequest;
  const reply = new RecordingReply();
  const context = new ExecutionContextHost([request, reply], LoginRoutes, LoginRoutes.prototype.begin);
  return { request, reply, context };
}

describe(OperatorGuard.name, () => {
  const keys = new RedisKeys('test-vault:');
  let sut: OperatorGuard;
  let clock: ManualClock;
  let counters: CoordinationStore;
  let passwords: OperatorPasswordChecks;

  async function build(adminAuth: string) {
    clock = new ManualClock('2025-03-14T10:00:00+05:30');
    counters = new MemoryCoordinationStore(clock);
    const configuration = loadConfiguration({ ADMIN_AUTH: adminAuth, AUTH_FAILURES_PER_MINUTE: String(BUDGET), TRUST_PROXY: `${PROXY}/32` }, [
      httpConfig,
      accessConfig,
    ]);
    const moduleRef = await Test.createTestingModule({
      providers: [
        OperatorGuard,
        VerifiedOperators,
        AuthFailureLimiter,
        { provide: AccessSettings, useValue: configuration.get(AccessSettings) },
        { provide: HttpSettings, useValue: configuration.get(HttpSettings) },
        { provide: CoordinationStore, useValue: counters },
        { provide: RedisKeys, useValue: keys },
        { provide: Clock, useValue: clock },
        OperatorPasswordChecks,
      ],
    }).compile();
    sut = moduleRef.get(OperatorGuard);
    passwords = moduleRef.get(OperatorPasswordChecks);
  }

  async function outcome({ context }: ReturnType<typeof attempt>): Promise<unknown> {
    try {
      return await sut.canActivate(context);
    } catch (error) {
      return error;
    }
  }

  const failuresCounted = async () => (await counters.peek(keys.authFailures(ADDRESS))).count;

  function expectOperatorUnauthorized(result: unknown, message: string): void {
    expect(result).toBeInstanceOf(VaultError);
    expect(result).toMatchObject({ status: 401, code: 'operator_unauthorized', message });
  }

  describe('ADMIN_AUTH=none', () => {
    beforeEach(() => build('none'));

    it('lets anyone in, as an unnamed operator', async () => {
      const request = attempt();
      expect(await outcome(request)).toBe(true);
      expect(request.request.caller).toEqual({ kind: 'operator', name: null });
      expect(request.reply.headersSet).toEqual({});
    });

    it('lets in even an address that has used its failure budget: there is nothing to guess', async () => {
      for (let i = 0; i < BUDGET; i += 1) await counters.count(keys.authFailures(ADDRESS), 60_000);
      expect(await outcome(attempt())).toBe(true);
    });
  });

  describe('ADMIN_AUTH=basic', () => {
    beforeEach(async () => build(`basic:alice:${await hashOperatorPassword(PASSWORD, QUICK)}`));

    it('lets in the operator with the right user and password (a colon in the password included), by name', async () => {
      const request = attempt({ authorization: basic('alice', PASSWORD) });
      expect(await outcome(request)).toBe(true);
      expect(request.request.caller).toEqual({ kind: 'operator', name: 'alice' });
      expect(request.reply.headersSet).toEqual({});
      expect(await failuresCounted()).toBe(0);
    });

    it('reads the credentials as UTF-8, as its challenge says', async () => {
      const password = 'pässwörd ✓';
      await build(`basic:alice:${await hashOperatorPassword(password, QUICK)}`);
      expect(await outcome(attempt({ authorization: basic('alice', password) }))).toBe(true);
    });

    it('still takes the older unsalted SHA-256 of the password, in either case', async () => {
      await build(`basic:alice:${sha256Hex(PASSWORD).toUpperCase()}`);
      expect(await outcome(attempt({ authorization: basic('alice', PASSWORD) }))).toBe(true);
      expectOperatorUnauthorized(
        await outcome(attempt({ authorization: basic('alice', 'wrong') })),
        'the operator user name and password are needed to use the login pages',
      );
    });

    it.each([
      ['no Authorization header', {}],
      ['the wrong password', { authorization: basic('alice', 'wrong') }],
      ['the wrong user', { authorization: basic('mallory', PASSWORD) }],
      ['the user in another case', { authorization: basic('Alice', PASSWORD) }],
      ['the stored hash instead of the password', { authorization: basic('alice', 'scrypt:14:8:1') }],
      ['credentials without a colon', { authorization: `Basic ${Buffer.from('alice').toString('base64')}` }],
      ['a bearer token', { authorization: 'Bearer tvk_abc' }],
    ])('refuses %s with 401 operator_unauthorized and a Basic challenge', async (_label, headers) => {
      const request = attempt(headers as Record<string, string>);
      const result = await outcome(request);
      expectOperatorUnauthorized(result, 'the operator user name and password are needed to use the login pages');
      expect((result as VaultError).headers).toEqual({ 'WWW-Authenticate': BASIC_CHALLENGE });
      expect(request.request.caller).toBeUndefined();
    });

    it('counts each refused attempt against the address', async () => {
      await outcome(attempt());
      await outcome(attempt({ authorization: basic('alice', 'wrong') }));
      expect(await failuresCounted()).toBe(2);
    });

    it('counts guesses sent at once before hashing any: past the budget, a guess is answered 429 with no hash', async () => {
      const hashed = jest.spyOn(passwords, 'matches');
      const results = await Promise.all(Array.from({ length: 40 }, (_, index) => outcome(attempt({ authorization: basic('alice', `guess-${index}`) }))));
      // The budget's 401s and the one just past it, which is checked and answered 429; the rest are never hashed.
      expect(hashed).toHaveBeenCalledTimes(BUDGET + 1);
      expect(results.filter((result) => (result as VaultError).status === 401)).toHaveLength(BUDGET);
      expect(results.filter((result) => (result as VaultError).status === 429)).toHaveLength(40 - BUDGET);
    });

    it('lets the operator in from another address while one address floods, and counts nothing against it', async () => {
      const flood = Promise.all(Array.from({ length: 40 }, (_, index) => outcome(attempt({ authorization: basic('alice', `guess-${index}`) }))));
      const operator = attempt({ authorization: basic('alice', PASSWORD) }, PROXY, '198.51.100.4');
      expect(await outcome(operator)).toBe(true);
      await flood;
      expect((await counters.peek(keys.authFailures('198.51.100.4'))).count).toBe(0);
    });

    describe('once the address has failed AUTH_FAILURES_PER_MINUTE times', () => {
      beforeEach(async () => {
        for (let i = 0; i < BUDGET; i += 1) await outcome(attempt({ authorization: basic('alice', `guess-${i}`) }));
      });

      it('answers a further wrong password 429 with a Retry-After', async () => {
        const request = attempt({ authorization: basic('alice', 'another guess') });
        const result = await outcome(request);
        expect(result).toBeInstanceOf(VaultError);
        expect(result).toMatchObject({ status: 429, code: 'rate_limited', headers: { 'Retry-After': '60' } });
        expect(request.request.caller).toBeUndefined();
      });

      it('still lets the operator in with the right password, counting nothing', async () => {
        const request = attempt({ authorization: basic('alice', PASSWORD) });
        expect(await outcome(request)).toBe(true);
        expect(request.request.caller).toEqual({ kind: 'operator', name: 'alice' });
        expect(await failuresCounted()).toBe(BUDGET);
      });

      it('past the budget, checks no new password at all until the minute is over (no slow hash for a flood to spend)', async () => {
        await outcome(attempt({ authorization: basic('alice', 'one guess too many') }));
        const hashed = jest.spyOn(passwords, 'matches');
        expect(await outcome(attempt({ authorization: basic('alice', PASSWORD) }))).toMatchObject({ status: 429, code: 'rate_limited' });
        expect(hashed).not.toHaveBeenCalled();
        // Counted before it was refused, as every attempt is.
        expect(await failuresCounted()).toBe(BUDGET + 2);
        clock.advance(60_000);
        expect(await outcome(attempt({ authorization: basic('alice', PASSWORD) }))).toBe(true);
      });

      it('past the budget, keeps letting in a browser that signed in before', async () => {
        expect(await outcome(attempt({ authorization: basic('alice', PASSWORD) }))).toBe(true);
        await outcome(attempt({ authorization: basic('alice', 'one guess too many') }));
        expect(await outcome(attempt({ authorization: basic('alice', PASSWORD) }))).toBe(true);
      });

      it('answers a wrong password 401 again once the minute is over', async () => {
        clock.advance(60_000);
        expect(await outcome(attempt({ authorization: basic('alice', 'late guess') }))).toMatchObject({ status: 401 });
      });
    });
  });

  describe('ADMIN_AUTH=header, with a list of allowed people', () => {
    beforeEach(() => build('header:X-Forwarded-Email:alice@desk.example,bob@desk.example'));

    it('lets in a person the list allows, named by the header (found whatever the case of its name in ADMIN_AUTH)', async () => {
      const request = attempt({ 'x-forwarded-email': 'bob@desk.example' });
      expect(await outcome(request)).toBe(true);
      expect(request.request.caller).toEqual({ kind: 'operator', name: 'bob@desk.example' });
    });

    it('believes the header only on a connection from the proxy TRUST_PROXY names: from anyone else it is not signed in', async () => {
      const request = attempt({ 'x-forwarded-email': 'bob@desk.example' }, ELSEWHERE);
      expectOperatorUnauthorized(await outcome(request), 'sign in through the single sign-on in front of the vault');
      expect(request.request.caller).toBeUndefined();
      expectOperatorUnauthorized(await outcome(attempt({ 'x-forwarded-email': 'bob@desk.example' }, '')), 'sign in through the single sign-on in front of the vault');
    });

    it('knows the proxy by its IPv4 address on a dual-stack socket too', async () => {
      expect(await outcome(attempt({ 'x-forwarded-email': 'bob@desk.example' }, `::ffff:${PROXY}`))).toBe(true);
    });

    it('ignores whitespace around the name', async () => {
      const request = attempt({ 'x-forwarded-email': '  alice@desk.example ' });
      expect(await outcome(request)).toBe(true);
      expect(request.request.caller).toEqual({ kind: 'operator', name: 'alice@desk.example' });
    });

    it.each([
      ['no header', {}],
      ['an empty header', { 'x-forwarded-email': '' }],
      ['a blank header', { 'x-forwarded-email': '   ' }],
      ['a person not on the list', { 'x-forwarded-email': 'eve@desk.example' }],
      ['a listed name in another case', { 'x-forwarded-email': 'Alice@desk.example' }],
      ['a listed name in another header', { 'x-forwarded-user': 'alice@desk.example' }],
    ])('refuses %s with 401 operator_unauthorized and no Basic challenge', async (_label, headers) => {
      const request = attempt(headers as Record<string, string>);
      expectOperatorUnauthorized(await outcome(request), 'sign in through the single sign-on in front of the vault');
      expect(request.reply.headersSet['www-authenticate']).toBeUndefined();
      expect(request.request.caller).toBeUndefined();
    });
  });

  describe('ADMIN_AUTH=header, without a list', () => {
    beforeEach(() => build('header:X-Forwarded-User'));

    it('lets in whoever the proxy names', async () => {
      const request = attempt({ 'x-forwarded-user': 'carol' });
      expect(await outcome(request)).toBe(true);
      expect(request.request.caller).toEqual({ kind: 'operator', name: 'carol' });
    });

    it('keeps at most 128 characters of the name', async () => {
      const request = attempt({ 'x-forwarded-user': 'c'.repeat(300) });
      expect(await outcome(request)).toBe(true);
      expect(request.request.caller).toEqual({ kind: 'operator', name: 'c'.repeat(128) });
    });

    it('still refuses a request without the header', async () => {
      expectOperatorUnauthorized(await outcome(attempt()), 'sign in through the single sign-on in front of the vault');
    });
  });
});
