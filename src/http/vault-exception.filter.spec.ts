import {
  ForbiddenException,
  HttpException,
  HttpStatus,
  NotFoundException,
  PayloadTooLargeException,
  ServiceUnavailableException,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { errorCodes } from 'fastify';
import { rateLimited } from '../errors/rate-limited';
import { storeUnavailable, tokenNotFound, VaultError } from '../errors/vault-error';
import { StoredValueError } from '../tokens/stored-value-error';
import { exceptionFilterUnderTest, RecordingRefusals } from '../../test/support/exception-filter-harness';
import { VaultExceptionFilter } from './vault-exception.filter';

// What a library might put in its message: it came with the request.
const LEAK = 'tvk_Secret-From-The-Request_9f8e7d';
const UNEXPECTED = { error: 'internal_error', message: 'the vault failed unexpectedly; see its logs' };

function requestTo(url: string | null): FastifyRequest {
  return { method: 'GET', url: '/v1/tokens/YA0002', headers: {}, ...(url ? { routeOptions: { url } } : {}) } as unknown as FastifyRequest;
}

describe(VaultExceptionFilter.name, () => {
  let filter: Awaited<ReturnType<typeof exceptionFilterUnderTest<VaultExceptionFilter>>>;
  let refusals: RecordingRefusals;
  /** The errors the filter logged, in order. */
  const errorsLogged = () => filter.logger.at('error');

  beforeEach(async () => {
    filter = await exceptionFilterUnderTest(VaultExceptionFilter);
    refusals = filter.refusals;
  });

  function answer(error: unknown, { sent = false, route = '/v1/tokens/:clientId' as string | null } = {}) {
    const request = requestTo(route);
    return { request, reply: filter.answer(error, request, sent) };
  }

  describe('a VaultError', () => {
    it('answers its status, with {error, message} as JSON', () => {
      const { reply } = answer(tokenNotFound('YA0002', '/pocketful/login'));
      expect(reply.statusCode).toBe(404);
      expect(reply.contentType).toBe('application/json; charset=utf-8');
      expect(reply.bodies).toEqual([
        { error: 'token_not_found', message: 'no live token is stored for YA0002; someone must log in at /pocketful/login' },
      ]);
    });

    it('keeps the message of a 5xx of its own, which the vault wrote', () => {
      const { reply } = answer(storeUnavailable());
      expect(reply.statusCode).toBe(503);
      expect(reply.bodies).toEqual([{ error: 'store_unavailable', message: 'the token store is not answering; try again shortly' }]);
    });

    it('sends the headers it carries: the Retry-After of a 429', () => {
      const { reply } = answer(rateLimited(30));
      expect(reply.statusCode).toBe(429);
      expect(reply.headersSet).toEqual({ 'retry-after': '30' });
      expect(reply.bodies).toEqual([{ error: 'rate_limited', message: 'too many requests; try again in 30 s' }]);
    });

    it('is not logged when it is the caller’s to act on', () => {
      answer(tokenNotFound('YA0002', '/pocketful/login'));
      expect(errorsLogged()).toEqual([]);
    });

    it('is logged by name and code, without its message, when it is a failure of the vault’s own (5xx)', () => {
      answer(new StoredValueError('YA0002', 'k-old'));
      // The code is the answer's own: it is not said twice.
      expect(errorsLogged()).toEqual(['GET /v1/tokens/:clientId failed: token_unreadable (StoredValueError)']);
    });
  });

  describe('an HttpException', () => {
    it.each([
      ['NotFoundException', () => new NotFoundException(LEAK), 404, 'not_found', 'no such route'],
      ['ForbiddenException', () => new ForbiddenException(LEAK), 403, 'forbidden', 'the request was refused (forbidden)'],
      ['PayloadTooLargeException', () => new PayloadTooLargeException(LEAK), 413, 'payload_too_large', 'the request was refused (payload too large)'],
      ['an HttpException with a status of no code', () => new HttpException(LEAK, HttpStatus.I_AM_A_TEAPOT), 400, 'invalid_request', 'the request was refused (invalid request)'],
    ])('%s answers its status with a fixed message, never its own', (_label, thrown, status, error, message) => {
      const { reply } = answer(thrown());
      expect(reply.statusCode).toBe(status);
      expect(reply.contentType).toBe('application/json; charset=utf-8');
      expect(reply.bodies).toEqual([{ error, message }]);
      expect(JSON.stringify(reply.bodies)).not.toContain(LEAK);
      expect(errorsLogged()).toEqual([]);
    });

    it('a 5xx HttpException is a 500 internal_error', () => {
      const { reply } = answer(new HttpException(LEAK, HttpStatus.BAD_GATEWAY));
      expect(reply.statusCode).toBe(500);
      expect(reply.bodies).toEqual([UNEXPECTED]);
    });

    it('a failed readiness check (ServiceUnavailableException) is 503 not_ready, with the state of each indicator', () => {
      const states = { status: 'error', info: {}, error: { store: { status: 'down', kind: 'redis' } }, details: { store: { status: 'down', kind: 'redis' } } };
      const { reply } = answer(new ServiceUnavailableException(states));
      expect(reply.statusCode).toBe(503);
      expect(reply.bodies).toEqual([
        { ...states, error: 'not_ready', message: 'the vault cannot serve tokens now: its store does not answer' },
      ]);
    });
  });

  it('a refusal of Fastify’s own (body too large) answers in the vault’s words', () => {
    const { reply } = answer(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
    expect(reply.statusCode).toBe(413);
    expect(reply.bodies).toEqual([{ error: 'payload_too_large', message: 'the request body is too large' }]);
  });

  describe('anything else', () => {
    it.each([
      ['an Error', () => new Error(LEAK)],
      ['a TypeError', () => new TypeError(`Cannot read properties of undefined (reading '${LEAK}')`)],
      ['a string', () => LEAK],
      ['undefined', () => undefined],
      ['an object with a message', () => ({ message: LEAK })],
    ])('%s is 500 internal_error, its message kept out of the answer', (_label, thrown) => {
      const { reply } = answer(thrown());
      expect(reply.statusCode).toBe(500);
      expect(reply.contentType).toBe('application/json; charset=utf-8');
      expect(reply.bodies).toEqual([UNEXPECTED]);
      expect(JSON.stringify(reply.bodies)).not.toContain(LEAK);
    });

    it('is logged with the route, its name and code, but not its message', () => {
      answer(Object.assign(new Error(LEAK), { code: 'ECONNRESET' }));
      expect(errorsLogged()).toEqual(['GET /v1/tokens/:clientId failed: internal_error (Error ECONNRESET)']);
      expect(errorsLogged().join('\n')).not.toContain(LEAK);
    });

    it('is logged as unrouted when it happened before routing', () => {
      answer(new TypeError(LEAK), { route: null });
      expect(errorsLogged()).toEqual(['GET unrouted failed: internal_error (TypeError)']);
    });

    it('is logged even when nothing but undefined was thrown', () => {
      answer(undefined);
      expect(errorsLogged()).toEqual(['GET /v1/tokens/:clientId failed: internal_error (error)']);
    });
  });

  describe('the refusal recorder', () => {
    it.each([
      ['a VaultError', () => tokenNotFound('YA0002', '/pocketful/login'), 404, 'token_not_found'],
      ['an HttpException', () => new ForbiddenException(), 403, 'forbidden'],
      ['an unknown error', () => new Error(LEAK), 500, 'internal_error'],
      ['a 429', () => new VaultError('rate_limited', 'slow down'), 429, 'rate_limited'],
    ])('hears of %s exactly once, with the request, the status and the code', (_label, thrown, status, code) => {
      const { request } = answer(thrown());
      expect(refusals.calls).toHaveLength(1);
      expect(refusals.calls[0].request).toBe(request);
      expect(refusals.calls[0]).toMatchObject({ status, code });
    });

    it('hears of an error even when the answer was already sent', () => {
      const { request } = answer(new Error(LEAK), { sent: true });
      expect(refusals.calls).toEqual([{ request, status: 500, code: 'internal_error' }]);
    });
  });

  it('sends nothing when the answer was already sent', () => {
    const { reply } = answer(tokenNotFound('YA0002', '/pocketful/login'), { sent: true });
    expect(reply.statusCode).toBeNull();
    expect(reply.contentType).toBeNull();
    expect(reply.headersSet).toEqual({});
    expect(reply.bodies).toEqual([]);
  });
});
