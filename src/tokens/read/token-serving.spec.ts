import { Test } from '@nestjs/testing';
import { ManualClock } from '../../../test/support/manual-clock';
import { RecordingLogger } from '../../../test/support/recording-logger';
import { SANDBOX_BROKERS } from '../../../test/support/sandbox-brokers';
import { settled } from '../../../test/support/settled';
import { BASE_DAY } from '../../../test/support/test-time';
import { RequestParty } from '../../access/vault-request';
import { auditConfig } from '../../audit/audit.config';
import { AuditLog } from '../../audit/audit-log';
import { AuditTrail } from '../../audit/audit-trail';
import { MemoryAuditLog } from '../../audit/memory-audit.log';
import { Clock } from '../../clock/clock';
import { loadConfiguration } from '../../config/load-configuration';
import { MemoryRateLimiter } from '../../rate-limit/memory-rate-limiter';
import { rateLimitConfig } from '../../rate-limit/rate-limit.config';
import { RateLimiter } from '../../rate-limit/rate-limiter';
import { MemoryTokenStore } from '../memory-token.store';
import { StoredToken } from '../stored-token';
import { TokenStore } from '../token.store';
import { MemoryTokenReader } from './memory-token-reader';
import { ServingOutcome, ServingRead, TokenReader } from './token-reader';
import { TokenServing } from './token-serving';

/** Twenty seconds into a minute, so that the rest of it is 40 s. */
const NOW = BASE_DAY.at('10:00:20');
const MIDNIGHT = BASE_DAY.plus(1).at('00:00');
const LIMIT = 3;

const strategy: RequestParty = {
  id: 'req-0001',
  ip: '203.0.113.7',
  caller: { kind: 'service', client: { name: 'strategy-a', keySha256: '0'.repeat(64), accounts: ['YA0002'], admin: false } },
};

const tokenOf = (clientId: string, expiresAt = MIDNIGHT): StoredToken => ({
  clientId,
  accessToken: `access-token-of-${clientId}`,
  tokenType: 'bearer',
  scope: 'orders holdings',
  issuedAt: BASE_DAY.at('09:00'),
  expiresAt,
  source: 'login',
  fingerprint: `fp-${clientId}`,
});

/** An audit trail that cannot be written, as a Redis that refuses the XADD. */
class UnwritableAuditLog extends MemoryAuditLog {
  override async append(): Promise<never> {
    throw new Error('READONLY You can\'t write against a read only replica.');
  }
}

/** A reader that answers what the test tells it: for an outcome the memory ports would not give. */
class AnsweringReader extends TokenReader {
  constructor(private readonly outcome: ServingOutcome) {
    super();
  }
  async read(): Promise<ServingOutcome> {
    return this.outcome;
  }
}

describe(TokenServing.name, () => {
  let sut: TokenServing;
  let clock: ManualClock;
  let store: MemoryTokenStore;
  let audit: MemoryAuditLog;
  let reader: TokenReader;
  let logger: RecordingLogger;

  interface Options {
    env?: Record<string, string>;
    /** An audit trail that cannot be written. */
    unwritableAudit?: boolean;
    reader?: TokenReader;
  }

  async function build({ env = {}, unwritableAudit = false, reader: given }: Options = {}) {
    clock = new ManualClock(NOW);
    const configuration = loadConfiguration({ ...SANDBOX_BROKERS.env, RATE_LIMIT_PER_MINUTE: String(LIMIT), ...env }, [rateLimitConfig, auditConfig, ...SANDBOX_BROKERS.slices]);
    const settings = configuration.entries().map(([provide, useValue]) => ({ provide, useValue }));
    store = new MemoryTokenStore(clock);
    logger = new RecordingLogger();
    const moduleRef = await Test.createTestingModule({
      providers: [
        TokenServing,
        AuditTrail,
        ...settings,
        { provide: Clock, useValue: clock },
        { provide: TokenStore, useValue: store },
        { provide: RateLimiter, useValue: new MemoryRateLimiter(clock) },
        { provide: AuditLog, useClass: unwritableAudit ? UnwritableAuditLog : MemoryAuditLog },
        given ? { provide: TokenReader, useValue: given } : { provide: TokenReader, useClass: MemoryTokenReader },
      ],
    })
      .setLogger(logger)
      .compile();
    logger.clear();
    sut = moduleRef.get(TokenServing);
    audit = moduleRef.get(AuditLog);
    reader = moduleRef.get(TokenReader);
  }

  /** The ServingRead the reader was handed by the next call of `act`. */
  async function readHandedOver(act: () => Promise<unknown>): Promise<ServingRead> {
    const read = jest.spyOn(reader, 'read');
    try {
      await act();
      expect(read).toHaveBeenCalledTimes(1);
      return read.mock.calls[0][0];
    } finally {
      read.mockRestore();
    }
  }

  describe('a token served', () => {
    beforeEach(() => build());

    it('is the stored token', async () => {
      await store.save(tokenOf('YA0002'));
      expect(await sut.serve(strategy, 'YA0002')).toEqual(tokenOf('YA0002'));
      expect(await sut.serveIfStored(strategy, 'YA0002', 'first')).toEqual(tokenOf('YA0002'));
    });

    it('is in the audit trail, with the caller, the request and the token’s fingerprint', async () => {
      await store.save(tokenOf('YA0002'));
      await sut.serve(strategy, 'YA0002');
      const { entries } = await audit.page({ limit: 10 });
      expect(entries).toEqual([
        expect.objectContaining({
          action: 'read',
          result: 'ok',
          client: 'strategy-a',
          account: 'YA0002',
          requestId: 'req-0001',
          remote: '203.0.113.7',
          fingerprint: 'fp-YA0002',
        }),
      ]);
      expect(logger.lines).toEqual([]);
    });
  });

  describe('no token', () => {
    beforeEach(() => build());

    it('is 404 token_not_found for serve', async () => {
      await store.save(tokenOf('YA0003'));
      expect(await settled(sut.serve(strategy, 'YA0002'))).toMatchObject({ status: 404, code: 'token_not_found' });
    });

    it('is null for serveIfStored, the answer of a read that waits', async () => {
      expect(await sut.serveIfStored(strategy, 'YA0002', 'first')).toBeNull();
      expect(await sut.serveIfStored(strategy, 'YA0002', 'woken')).toBeNull();
    });

    it('leaves no entry in the audit trail and logs nothing', async () => {
      await settled(sut.serve(strategy, 'YA0002'));
      expect((await audit.page({ limit: 10 })).entries).toEqual([]);
      expect(logger.lines).toEqual([]);
    });
  });

  describe('a token whose expiry has come by the vault’s clock', () => {
    it.each([
      ['now', 0],
      ['a second ago', -1000],
    ])('is 404 even when the reader served it (expiry %s)', async (_, offsetMs) => {
      await build({ reader: new AnsweringReader({ kind: 'served', token: tokenOf('YA0002', new Date(NOW.getTime() + offsetMs)), audited: true }) });
      expect(await settled(sut.serve(strategy, 'YA0002'))).toMatchObject({ status: 404, code: 'token_not_found' });
      expect(await sut.serveIfStored(strategy, 'YA0002', 'woken')).toBeNull();
    });

    it('is served while it has a millisecond to live', async () => {
      const lastMoment = tokenOf('YA0002', new Date(NOW.getTime() + 1));
      await build({ reader: new AnsweringReader({ kind: 'served', token: lastMoment, audited: true }) });
      expect(await sut.serve(strategy, 'YA0002')).toEqual(lastMoment);
    });
  });

  describe('past the client’s budget', () => {
    beforeEach(() => build());

    async function readTimes(times: number): Promise<unknown[]> {
      const answers = [];
      for (let read = 0; read < times; read += 1) answers.push(await settled(sut.serve(strategy, 'YA0002')));
      return answers;
    }

    it('is 429 rate_limited, with Retry-After the rest of the minute', async () => {
      await store.save(tokenOf('YA0002'));
      const answers = await readTimes(LIMIT + 1);
      expect(answers.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(tokenOf('YA0002')));
      expect(answers[LIMIT]).toMatchObject({
        status: 429,
        code: 'rate_limited',
        message: `more than ${LIMIT} requests a minute; try again in 40 s`,
        headers: { 'Retry-After': '40' },
      });
    });

    it('is refused whether or not a token is stored', async () => {
      const answers = await readTimes(LIMIT + 1);
      expect(answers[LIMIT]).toMatchObject({ status: 429, code: 'rate_limited' });
    });

    it('logs the first refusal of a window once, as a warning that names the client', async () => {
      await readTimes(LIMIT + 3);
      expect(logger.lines).toEqual([
        {
          level: 'warn',
          context: TokenServing.name,
          message: `client:strategy-a went past ${LIMIT} requests a minute; its further requests get 429 for the rest of the minute`,
        },
      ]);
      clock.advance(40_000);
      const nextMinute = await readTimes(LIMIT + 2);
      expect(nextMinute.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(expect.objectContaining({ code: 'token_not_found' })));
      expect(logger.at('warn')).toHaveLength(2);
    });

    it('writes no audit entry for a refused read', async () => {
      await store.save(tokenOf('YA0002'));
      await readTimes(LIMIT + 2);
      expect((await audit.page({ limit: 10 })).entries).toHaveLength(LIMIT);
    });
  });

  describe('an audit trail that cannot be written', () => {
    it('fails the read closed: 503 audit_unavailable, logged as an error, no token', async () => {
      await build({ unwritableAudit: true });
      await store.save(tokenOf('YA0002'));
      expect(await settled(sut.serve(strategy, 'YA0002'))).toMatchObject({ status: 503, code: 'audit_unavailable' });
      expect(await settled(sut.serveIfStored(strategy, 'YA0002', 'woken'))).toMatchObject({ status: 503, code: 'audit_unavailable' });
      expect(logger.at('error')).toEqual(Array(2).fill('refused to serve the token of YA0002: the audit trail cannot be written'));
    });

    it('with AUDIT_FAIL_CLOSED=false, serves the token and warns that it went unaudited', async () => {
      await build({ env: { AUDIT_FAIL_CLOSED: 'false' }, unwritableAudit: true });
      await store.save(tokenOf('YA0002'));
      expect(await sut.serve(strategy, 'YA0002')).toEqual(tokenOf('YA0002'));
      expect(logger.lines).toEqual([
        { level: 'warn', context: TokenServing.name, message: 'served the token of YA0002 without an audit entry (AUDIT_FAIL_CLOSED=false)' },
      ]);
    });

    it('is 503 audit_unavailable for any reader that says so', async () => {
      await build({ reader: new AnsweringReader({ kind: 'audit_failed' }) });
      expect(await settled(sut.serve(strategy, 'YA0002'))).toMatchObject({ status: 503, code: 'audit_unavailable' });
    });
  });

  describe('the read handed to the reader', () => {
    it('counts a read against its client’s budget, names who reads for the audit entry, and fails closed by default', async () => {
      await build();
      expect(await readHandedOver(() => settled(sut.serve(strategy, 'YA0002')))).toEqual({
        clientId: 'YA0002',
        rate: { tracker: 'client:strategy-a', limitPerMinute: LIMIT },
        audit: { client: 'strategy-a', account: 'YA0002', requestId: 'req-0001', remote: '203.0.113.7' },
        failClosed: true,
        woken: false,
      });
    });

    it('counts a waiting read’s first read only: one woken by a store, and its last, count against no budget', async () => {
      await build();
      expect((await readHandedOver(() => sut.serveIfStored(strategy, 'YA0002', 'woken'))).rate).toBeNull();
      expect((await readHandedOver(() => sut.serveIfStored(strategy, 'YA0002', 'last'))).rate).toBeNull();
      await store.save(tokenOf('YA0002'));
      for (let read = 0; read < LIMIT + 2; read += 1) expect(await sut.serveIfStored(strategy, 'YA0002', 'woken')).toEqual(tokenOf('YA0002'));
      for (let read = 0; read < LIMIT; read += 1) expect(await sut.serveIfStored(strategy, 'YA0002', 'first')).toEqual(tokenOf('YA0002'));
      expect(await settled(sut.serveIfStored(strategy, 'YA0002', 'first'))).toMatchObject({ status: 429, code: 'rate_limited' });
    });

    it('marks the read a store woke, for the reader to read with the others that store woke, and no other', async () => {
      await build();
      const handed = async (read: 'first' | 'woken' | 'last') => (await readHandedOver(() => sut.serveIfStored(strategy, 'YA0002', read))).woken;
      expect([await handed('first'), await handed('woken'), await handed('last')]).toEqual([false, true, false]);
      expect((await readHandedOver(() => settled(sut.serve(strategy, 'YA0002')))).woken).toBe(false);
    });

    it('counts nothing when RATE_LIMIT_PER_MINUTE=0 turns the limits off', async () => {
      await build({ env: { RATE_LIMIT_PER_MINUTE: '0' } });
      expect((await readHandedOver(() => settled(sut.serve(strategy, 'YA0002')))).rate).toBeNull();
    });

    it('says not to fail closed with AUDIT_FAIL_CLOSED=false', async () => {
      await build({ env: { AUDIT_FAIL_CLOSED: 'false' } });
      expect((await readHandedOver(() => settled(sut.serve(strategy, 'YA0002')))).failClosed).toBe(false);
    });

    it('names a caller that is not a service client by its address', async () => {
      await build();
      const anonymous: RequestParty = { id: 'req-0002', ip: '198.51.100.4', caller: undefined };
      expect(await readHandedOver(() => settled(sut.serve(anonymous, 'YA0002')))).toMatchObject({
        rate: { tracker: 'address:198.51.100.4' },
        audit: { client: null, requestId: 'req-0002', remote: '198.51.100.4' },
      });
    });
  });
});
