import { ExecutionContext } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { Test } from '@nestjs/testing';
import { RecordingReply } from '../../test/support/recording-reply';
import { ManualClock } from '../../test/support/manual-clock';
import { Clock } from '../clock/clock';
import { loadConfiguration } from '../config/load-configuration';
import { CoordinationStore } from '../coordination/coordination.store';
import { MemoryCoordinationStore } from '../coordination/memory-coordination.store';
import { VaultError } from '../errors/vault-error';
import { RedisKeys } from '../redis/redis-keys';
import { accessConfig, AccessSettings } from './access.config';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { clientFor, newServiceKey } from './clients-file';
import { ServiceClientRegistry } from './service-client.registry';
import { AdminOnly, ServiceKeyGuard } from './service-key.guard';
import { VaultRequest } from './vault-request';

const ADDRESS = '203.0.113.7';
const BUDGET = 3;

/** Routes as Nest hands them to a guard: the controller class and the handler. */
class TokensRoutes {
  read() {}
  @AdminOnly()
  rotate() {}
}

@AdminOnly()
class AdminRoutes {
  list() {}
}


/** A shared store that has gone away: every call rejects. */
class UnreachableCoordinationStore extends MemoryCoordinationStore {
  override async count(): Promise<never> {
    throw new Error('ECONNREFUSED');
  }
}

interface Attempt {
  request: VaultRequest;
  reply: RecordingReply;
  context: ExecutionContext;
}

function attempt(authorization: string | undefined, route: [object, () => void] = [TokensRoutes, TokensRoutes.prototype.read]): Attempt {
  const request = { ip: ADDRESS, headers: authorization === undefined ? {} : { authorization } } as unknown as VaultRequest;
  const reply = new RecordingReply();
  const [controller, handler] = route;
  const context = new ExecutionContextHost([request, reply], controller as never, handler);
  return { request, reply, context };
}

async function outcome(sut: ServiceKeyGuard, { context }: Attempt): Promise<unknown> {
  try {
    return await sut.canActivate(context);
  } catch (error) {
    return error;
  }
}

describe(ServiceKeyGuard.name, () => {
  const strategyKey = newServiceKey();
  const opsKey = newServiceKey();
  const strategy = clientFor('strategy-1', strategyKey, ['YA0002'], false);
  const ops = clientFor('ops', opsKey, ['*'], true);
  const keys = new RedisKeys('test-vault:');

  let sut: ServiceKeyGuard;
  let registry: ServiceClientRegistry;
  let clock: ManualClock;
  let counters: CoordinationStore;

  const failuresCounted = async () => (await counters.peek(keys.authFailures(ADDRESS))).count;

  async function build(store: (clock: ManualClock) => CoordinationStore = (c) => new MemoryCoordinationStore(c)) {
    clock = new ManualClock('2025-03-14T10:00:00+05:30');
    counters = store(clock);
    const moduleRef = await Test.createTestingModule({
      providers: [
        ServiceKeyGuard,
        AuthFailureLimiter,
        { provide: ServiceClientRegistry, useValue: (registry = new ServiceClientRegistry([strategy, ops])) },
        { provide: CoordinationStore, useValue: counters },
        {
          provide: AccessSettings,
          useValue: loadConfiguration({ ADMIN_AUTH: 'none', AUTH_FAILURES_PER_MINUTE: String(BUDGET) }, [accessConfig]).get(AccessSettings),
        },
        { provide: RedisKeys, useValue: keys },
        { provide: Clock, useValue: clock },
      ],
    }).compile();
    sut = moduleRef.get(ServiceKeyGuard);
  }

  beforeEach(() => build());

  describe('a known key', () => {
    it('is let in, and the request names its client as the caller', async () => {
      const request = attempt(`Bearer ${strategyKey}`);
      expect(await outcome(sut, request)).toBe(true);
      expect(request.request.caller).toEqual({ kind: 'service', client: strategy });
    });

    it('is not counted as a failure and asks for no credentials', async () => {
      const request = attempt(`Bearer ${strategyKey}`);
      await outcome(sut, request);
      expect(await failuresCounted()).toBe(0);
      expect(request.reply.headersSet).toEqual({});
    });
  });

  describe('no key, or a key it does not know', () => {
    it.each([
      ['no Authorization header', () => undefined],
      ['an unknown key', () => `Bearer ${newServiceKey()}`],
      ['a known key under another scheme', () => `Basic ${strategyKey}`],
      ['a known key with a character changed', () => `Bearer ${strategyKey.slice(0, -1)}${strategyKey.endsWith('A') ? 'B' : 'A'}`],
      ['a known key without the scheme', () => strategyKey],
      ['a known key followed by a space', () => `Bearer ${strategyKey} `],
      ['an empty bearer token', () => 'Bearer '],
      ['a key longer than 512 characters', () => `Bearer ${'k'.repeat(513)}`],
    ])('refuses %s with 401 unauthorized and a Bearer challenge', async (_label, header) => {
      const request = attempt(header());
      const result = await outcome(sut, request);
      expect(result).toBeInstanceOf(VaultError);
      expect(result).toMatchObject({
        status: 401,
        code: 'unauthorized',
        message: 'a valid service key is required: Authorization: Bearer <key>',
      });
      expect((result as VaultError).headers).toEqual({ 'WWW-Authenticate': 'Bearer realm="token-vault"' });
      expect(request.request.caller).toBeUndefined();
    });

    it('takes the scheme in any case, as HTTP does, but not the key', async () => {
      expect(await outcome(sut, attempt(`bearer ${strategyKey}`))).toBe(true);
      expect(await outcome(sut, attempt(`BEARER ${strategyKey}`))).toBe(true);
      expect(await outcome(sut, attempt(`Bearer ${strategyKey.toUpperCase()}`))).toMatchObject({ status: 401 });
    });

    it('counts each refusal against the address', async () => {
      await outcome(sut, attempt(undefined));
      await outcome(sut, attempt(`Bearer ${newServiceKey()}`));
      expect(await failuresCounted()).toBe(2);
    });
  });

  describe('while the clients file has been unusable past its grace (the registry withholds its keys)', () => {
    beforeEach(() => registry.withhold([ops], 'no service key is accepted until the clients file can be read'));

    it.each([
      ['a key of the file', () => `Bearer ${strategyKey}`],
      ['an unknown key', () => `Bearer ${newServiceKey()}`],
    ])('answers %s 503 clients_file_unusable, with the reason, counting no failure', async (_label, header) => {
      const request = attempt(header());
      const result = await outcome(sut, request);
      expect(result).toBeInstanceOf(VaultError);
      expect(result).toMatchObject({ status: 503, code: 'clients_file_unusable', message: 'no service key is accepted until the clients file can be read' });
      expect(request.request.caller).toBeUndefined();
      expect(await failuresCounted()).toBe(0);
    });

    it('still answers no key at all 401, and lets a kept client in', async () => {
      expect(await outcome(sut, attempt(undefined))).toMatchObject({ status: 401, code: 'unauthorized' });
      expect(await outcome(sut, attempt(`Bearer ${opsKey}`))).toBe(true);
    });
  });

  describe('an address that has failed AUTH_FAILURES_PER_MINUTE times', () => {
    beforeEach(async () => {
      for (let i = 0; i < BUDGET; i += 1) await outcome(sut, attempt(`Bearer ${newServiceKey()}`));
    });

    it('answers a further wrong key 429 with a Retry-After, and the caller is not set', async () => {
      const request = attempt(`Bearer ${newServiceKey()}`);
      const result = await outcome(sut, request);
      expect(result).toBeInstanceOf(VaultError);
      expect(result).toMatchObject({ status: 429, code: 'rate_limited', headers: { 'Retry-After': '60' } });
      expect(request.request.caller).toBeUndefined();
    });

    it('still lets a known key in at once, counting nothing: one stale key cannot lock out its neighbours', async () => {
      const request = attempt(`Bearer ${opsKey}`);
      expect(await outcome(sut, request)).toBe(true);
      expect(request.request.caller).toEqual({ kind: 'service', client: ops });
      expect(await failuresCounted()).toBe(BUDGET);
    });

    it('answers a wrong key 401 again once its minute is over', async () => {
      clock.advance(60_000);
      expect(await outcome(sut, attempt(`Bearer ${newServiceKey()}`))).toMatchObject({ status: 401 });
    });
  });

  describe('while the shared store does not answer (Redis down, its breaker open)', () => {
    beforeEach(() => build((c) => new UnreachableCoordinationStore(c)));

    it('still counts failures, in this process: 401 within the budget, then 429, and a known key is let in at once', async () => {
      const statuses = [];
      for (let i = 0; i <= BUDGET; i += 1) statuses.push(((await outcome(sut, attempt(`Bearer ${newServiceKey()}`))) as VaultError).status);
      expect(statuses).toEqual([...Array(BUDGET).fill(401), 429]);
      expect(await outcome(sut, attempt(`Bearer ${opsKey}`))).toBe(true);
    });
  });

  describe('a route marked AdminOnly', () => {
    it.each([
      ['on its handler', [TokensRoutes, TokensRoutes.prototype.rotate]],
      ['on its controller', [AdminRoutes, AdminRoutes.prototype.list]],
    ] as Array<[string, [object, () => void]]>)('%s lets an admin client in', async (_label, route) => {
      expect(await outcome(sut, attempt(`Bearer ${opsKey}`, route))).toBe(true);
    });

    it.each([
      ['on its handler', [TokensRoutes, TokensRoutes.prototype.rotate]],
      ['on its controller', [AdminRoutes, AdminRoutes.prototype.list]],
    ] as Array<[string, [object, () => void]]>)('%s refuses any other client with 403 forbidden, naming it', async (_label, route) => {
      const result = await outcome(sut, attempt(`Bearer ${strategyKey}`, route));
      expect(result).toBeInstanceOf(VaultError);
      expect(result).toMatchObject({ status: 403, code: 'forbidden', message: 'client strategy-1 is not an admin client' });
    });

    it('does not count a forbidden client as a failed authentication', async () => {
      await outcome(sut, attempt(`Bearer ${strategyKey}`, [TokensRoutes, TokensRoutes.prototype.rotate]));
      expect(await failuresCounted()).toBe(0);
    });
  });

  it('lets any known client into a route that is not AdminOnly', async () => {
    expect(await outcome(sut, attempt(`Bearer ${strategyKey}`, [TokensRoutes, TokensRoutes.prototype.read]))).toBe(true);
  });
});
