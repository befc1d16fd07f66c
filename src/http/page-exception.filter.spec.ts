import { NotFoundException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { VaultError } from '../errors/vault-error';
import { PageExceptionFilter } from './page-exception.filter';
import { failurePage } from './pages/failure-page';
import { exceptionFilterUnderTest, RecordingRefusals } from '../../test/support/exception-filter-harness';

// What a library might put in its message: it came with the request.
const LEAK = 'code=Secret-Authorization-Code_4c3b2a';

/** The text of an element of the page, found by its id. */
function textOf(page: string, id: string): string | undefined {
  return new RegExp(`id="${id}">([^<]*)<`).exec(page)?.[1];
}

describe(PageExceptionFilter.name, () => {
  let filter: Awaited<ReturnType<typeof exceptionFilterUnderTest<PageExceptionFilter>>>;
  let refusals: RecordingRefusals;

  beforeEach(async () => {
    filter = await exceptionFilterUnderTest(PageExceptionFilter);
    refusals = filter.refusals;
  });

  function answer(error: unknown, { sent = false, route = '/pocketful/callback' } = {}) {
    const request = { method: 'GET', url: route, headers: {}, routeOptions: { url: route } } as unknown as FastifyRequest;
    const reply = filter.answer(error, request, sent);
    const page = reply.bodies[0];
    return { request, reply, page: typeof page === 'string' ? page : '' };
  }

  describe('a VaultError', () => {
    const error = new VaultError('operator_unauthorized', 'the operator user name and password are needed to use the login pages');

    it('answers its status with an HTML page, not JSON', () => {
      const { reply } = answer(error);
      expect(reply.statusCode).toBe(401);
      expect(reply.contentType).toBe('text/html; charset=utf-8');
      expect(reply.bodies).toHaveLength(1);
      expect(typeof reply.bodies[0]).toBe('string');
      expect(reply.bodies[0]).toMatch(/^<!doctype html>/);
    });

    it('shows the stable code in id="code" and the message in id="message"', () => {
      const { page } = answer(error);
      expect(textOf(page, 'code')).toBe('operator_unauthorized');
      expect(textOf(page, 'message')).toBe('the operator user name and password are needed to use the login pages');
    });

    it('carries the pages’ security headers: a Content-Security-Policy that allows no script', () => {
      const { reply } = answer(error);
      expect(reply.headersSet['content-security-policy']).toContain("default-src 'none'");
      expect(reply.headersSet['content-security-policy']).not.toContain('script-src');
    });

    it("offers to log in again at the login of the broker whose route failed", () => {
      expect(answer(error).page).toContain('<a class="button" href="/pocketful/login">Log in again</a>');
      const zerodha = answer(new VaultError('login_cancelled', 'the login was cancelled at Zerodha'), { route: '/zerodha/callback' }).page;
      expect(zerodha).toContain('<a class="button" href="/zerodha/login">Log in again</a>');
      expect(zerodha).not.toContain('/pocketful/login');
      // A guard's refusal at the login itself, before any handler ran.
      expect(answer(error, { route: '/upstox/login' }).page).toContain('href="/upstox/login"');
    });

    it('sends a failure on a route of no broker (the status page) to the status page, which has every login', () => {
      const { page } = answer(error, { route: '/' });
      expect(page).toContain('<a class="button" href="/">Open the status page</a>');
      expect(page).not.toContain('/login"');
    });

    it('sends the login of a broker that is off (not_found) to the status page, not round to itself', () => {
      const { page } = answer(new VaultError('not_found', 'Zerodha is not configured on this vault'), { route: '/zerodha/login' });
      expect(page).toContain('<a class="button" href="/">Open the status page</a>');
      expect(page).not.toContain('/zerodha/login');
    });

    it('escapes the message as HTML', () => {
      const { page } = answer(new VaultError('state_unknown', 'the state "<b>x</b>" & co is unknown'));
      expect(textOf(page, 'message')).toBe('the state &quot;&lt;b&gt;x&lt;/b&gt;&quot; &amp; co is unknown');
      expect(page).not.toContain('<b>x</b>');
    });

    it('escapes the code as HTML too, on the page itself', () => {
      expect(textOf(failurePage('bad_<state>', 'x', null), 'code')).toBe('bad_&lt;state&gt;');
    });
  });

  it('answers an HttpException with a page of its status and code', () => {
    const { reply, page } = answer(new NotFoundException(LEAK));
    expect(reply.statusCode).toBe(404);
    expect(reply.contentType).toBe('text/html; charset=utf-8');
    expect(textOf(page, 'code')).toBe('not_found');
    expect(page).not.toContain(LEAK);
  });

  it.each([
    ['an Error', () => new Error(LEAK)],
    ['a string', () => LEAK],
    ['undefined', () => undefined],
  ])('answers %s with a 500 internal_error page that keeps its message out', (_label, thrown) => {
    const { reply, page } = answer(thrown());
    expect(reply.statusCode).toBe(500);
    expect(reply.contentType).toBe('text/html; charset=utf-8');
    expect(textOf(page, 'code')).toBe('internal_error');
    expect(textOf(page, 'message')).toBe('the vault failed unexpectedly; see its logs');
    expect(page).not.toContain(LEAK);
  });

  it('tells the refusal recorder exactly once, with the request, the status and the code', () => {
    const { request } = answer(new VaultError('state_unknown', 'the login state is unknown'));
    expect(refusals.calls).toEqual([{ request, status: 400, code: 'state_unknown' }]);
  });

  it('tells the refusal recorder of an unknown error as internal_error, once', () => {
    const { request } = answer(new Error(LEAK));
    expect(refusals.calls).toEqual([{ request, status: 500, code: 'internal_error' }]);
  });

  it('sends nothing when the answer was already sent, but still tells the refusal recorder once', () => {
    const { request, reply } = answer(new Error(LEAK), { sent: true });
    expect(reply.statusCode).toBeNull();
    expect(reply.contentType).toBeNull();
    expect(reply.headersSet).toEqual({});
    expect(reply.bodies).toEqual([]);
    expect(refusals.calls).toEqual([{ request, status: 500, code: 'internal_error' }]);
  });
});
