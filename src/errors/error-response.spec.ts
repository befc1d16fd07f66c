import {
  BadRequestException,
  HttpException,
  HttpStatus,
  MethodNotAllowedException,
  NotFoundException,
  PayloadTooLargeException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { errorCodes } from 'fastify';
import { fromFastifyError, toErrorResponse } from './error-response';
import { clientsFileUnusable, forbidden, invalidClientId, storeUnavailable, tokenNotFound, VaultError } from './vault-error';

// A message that a library might build from what the request carried.
const LEAK = 'tvk_Secret-From-The-Request_9f8e7d';

describe('toErrorResponse: VaultError', () => {
  it('answers its own status, code and message', () => {
    expect(toErrorResponse(tokenNotFound('YA0002', '/pocketful/login'))).toEqual({
      status: 404,
      body: {
        error: 'token_not_found',
        message: 'no live token is stored for YA0002; someone must log in at /pocketful/login',
      },
      headers: expect.any(Object),
      unexpected: false,
    });
    expect(toErrorResponse(invalidClientId())).toMatchObject({ status: 400, body: { error: 'invalid_client_id' } });
    expect(toErrorResponse(forbidden('no'))).toEqual({
      status: 403,
      body: { error: 'forbidden', message: 'no' },
      headers: expect.any(Object),
      unexpected: false,
    });
  });

  it("names the login page it is given, the account's broker's, under the one code", () => {
    expect(toErrorResponse(tokenNotFound('zerodha:AB1234', '/zerodha/login'))).toMatchObject({
      status: 404,
      body: { error: 'token_not_found', message: 'no live token is stored for zerodha:AB1234; someone must log in at /zerodha/login' },
    });
  });

  it('marks 5xx VaultErrors as unexpected, and 4xx not', () => {
    expect(toErrorResponse(new VaultError('token_unreadable', 'y')).unexpected).toBe(true);
    expect(toErrorResponse(new VaultError('audit_unavailable', 'y')).unexpected).toBe(true);
    expect(toErrorResponse(new VaultError('headers_too_large', 'y')).unexpected).toBe(false);
  });

  it('answers clients_file_unusable with 503 but not as unexpected: the clients file watcher logs it, once per check', () => {
    expect(toErrorResponse(clientsFileUnusable('no key is accepted'))).toMatchObject({
      status: 503,
      body: { error: 'clients_file_unusable', message: 'no key is accepted' },
      unexpected: false,
    });
  });

  it('answers store_unavailable with 503 but not as unexpected: the store’s connection logs its outage', () => {
    expect(toErrorResponse(storeUnavailable())).toEqual({
      status: 503,
      body: { error: 'store_unavailable', message: 'the token store is not answering; try again shortly' },
      headers: expect.any(Object),
      unexpected: false,
    });
  });
});

describe('toErrorResponse: Fastify refusals', () => {
  it.each([
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 'payload_too_large', 'the request body is too large'],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'unsupported_media_type', 'send the body as application/json'],
    ['FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400, 'invalid_request', 'the Content-Length does not match the body'],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, 'invalid_request', 'the JSON body is empty'],
    ['FST_ERR_CTP_INVALID_JSON_BODY', 400, 'invalid_json', 'the body is not valid JSON'],
    ['FST_ERR_CTP_EMPTY_TYPE', 415, 'unsupported_media_type', 'the Content-Type header is empty'],
    ['FST_ERR_CTP_INVALID_TYPE', 415, 'unsupported_media_type', 'the Content-Type header is not valid'],
  ] as const)('maps the real %s to %i %s', (code, status, error, message) => {
    // Fastify's own error class, built with an argument that must not reach the caller.
    const thrown = new errorCodes[code](LEAK);
    expect(thrown.code).toBe(code);
    const response = toErrorResponse(thrown);
    expect(response).toEqual({ status, body: { error, message }, headers: {}, unexpected: false });
    expect(JSON.stringify(response)).not.toContain(LEAK);
  });

  it('maps a bare object carrying a known code the same way', () => {
    expect(toErrorResponse({ code: 'FST_ERR_CTP_BODY_TOO_LARGE' }).status).toBe(413);
  });

  it('does not map an unknown FST code by its code', () => {
    const response = toErrorResponse(new errorCodes.FST_ERR_CTP_ALREADY_PRESENT(LEAK));
    expect(response.body.error).toBe('internal_error');
    expect(JSON.stringify(response)).not.toContain(LEAK);
  });
});

describe('toErrorResponse: SyntaxError (a JSON body that does not parse)', () => {
  it('answers 400 invalid_json without the parser message', () => {
    let thrown: unknown;
    try {
      JSON.parse(`{"key": "${LEAK}`);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SyntaxError);
    const response = toErrorResponse(thrown);
    expect(response).toEqual({
      status: 400,
      body: { error: 'invalid_json', message: 'the body is not valid JSON' },
      headers: expect.any(Object),
      unexpected: false,
    });
    expect(JSON.stringify(response)).not.toContain(LEAK);
  });

  it('recognises a SyntaxError by name (from another realm)', () => {
    expect(toErrorResponse({ name: 'SyntaxError', message: LEAK }).body.error).toBe('invalid_json');
  });
});

describe('toErrorResponse: HttpException', () => {
  it('404 says "no such route"', () => {
    expect(toErrorResponse(new NotFoundException(`Cannot GET /${LEAK}`))).toEqual({
      status: 404,
      body: { error: 'not_found', message: 'no such route' },
      headers: expect.any(Object),
      unexpected: false,
    });
  });

  it('405 says method not allowed', () => {
    expect(toErrorResponse(new MethodNotAllowedException(LEAK))).toEqual({
      status: 405,
      body: { error: 'method_not_allowed', message: 'the request was refused (method not allowed)' },
      headers: expect.any(Object),
      unexpected: false,
    });
  });

  it.each([
    ['UnauthorizedException', 401, 'unauthorized', () => new UnauthorizedException(LEAK)],
    ['PayloadTooLargeException', 413, 'payload_too_large', () => new PayloadTooLargeException(LEAK)],
    ['HttpException 429', 429, 'too_many_requests', () => new HttpException(LEAK, HttpStatus.TOO_MANY_REQUESTS)],
    ['HttpException 431', 431, 'headers_too_large', () => new HttpException(LEAK, 431)],
    ['HttpException 418, a 4xx of no code of its own', 400, 'invalid_request', () => new HttpException(LEAK, HttpStatus.I_AM_A_TEAPOT)],
  ] as const)('%s answers %i %s with a fixed message', (_label, status, error, thrown) => {
    const response = toErrorResponse(thrown());
    expect(response.status).toBe(status);
    expect(response.body.error).toBe(error);
    expect(response.unexpected).toBe(false);
    expect(JSON.stringify(response)).not.toContain(LEAK);
  });

  it('a BadRequestException with validation details keeps none of them', () => {
    const response = toErrorResponse(new BadRequestException({ message: [LEAK], error: LEAK }));
    expect(response).toEqual({
      status: 400,
      body: { error: 'invalid_request', message: 'the request was refused (invalid request)' },
      headers: expect.any(Object),
      unexpected: false,
    });
  });

  it('a 5xx HttpException is an internal error', () => {
    const response = toErrorResponse(new HttpException(LEAK, HttpStatus.BAD_GATEWAY));
    expect(response).toEqual({
      status: 500,
      body: { error: 'internal_error', message: 'the vault failed unexpectedly; see its logs' },
      headers: expect.any(Object),
      unexpected: true,
    });
  });

  it('ServiceUnavailableException (a failed readiness check) is 503 not_ready, keeping the indicator states', () => {
    const response = toErrorResponse(
      new ServiceUnavailableException({ status: 'error', info: {}, error: { store: { status: 'down' } }, details: {} }),
    );
    expect(response.status).toBe(503);
    expect(response.unexpected).toBe(false);
    expect(response.body).toMatchObject({
      status: 'error',
      details: {},
      error: 'not_ready',
      message: 'the vault cannot serve tokens now: its store does not answer',
    });
  });

  it('names the clients file when its indicator is the one down, and both when both are', () => {
    const because = (error: object) => toErrorResponse(new ServiceUnavailableException({ status: 'error', info: {}, error, details: {} })).body.message;
    expect(because({ clientsFile: { status: 'down' } })).toBe('the vault cannot serve tokens now: its clients file cannot be used');
    expect(because({ store: { status: 'down' }, clientsFile: { status: 'down' } })).toBe(
      'the vault cannot serve tokens now: its store does not answer; its clients file cannot be used',
    );
  });
});

describe('toErrorResponse: anything else', () => {
  it.each([
    ['an Error', new Error(LEAK)],
    ['a TypeError', new TypeError(`Cannot read properties of undefined (reading '${LEAK}')`)],
    ['a string', LEAK],
    ['null', null],
    ['undefined', undefined],
    ['an object', { message: LEAK, secret: LEAK }],
    ['an error with a 5xx statusCode', Object.assign(new Error(LEAK), { statusCode: 502 })],
  ])('%s is 500 internal_error without the original message', (_label, thrown) => {
    const response = toErrorResponse(thrown);
    expect(response).toEqual({
      status: 500,
      body: { error: 'internal_error', message: 'the vault failed unexpectedly; see its logs' },
      headers: expect.any(Object),
      unexpected: true,
    });
    expect(JSON.stringify(response)).not.toContain(LEAK);
  });

  it('an error carrying a 4xx status (as some libraries set) is a refusal, still without its message', () => {
    const response = toErrorResponse(Object.assign(new Error(LEAK), { statusCode: 401 }));
    expect(response).toEqual({
      status: 401,
      body: { error: 'unauthorized', message: 'the request was refused (unauthorized)' },
      headers: expect.any(Object),
      unexpected: false,
    });
    expect(toErrorResponse(Object.assign(new Error(LEAK), { status: 404 })).body.message).toBe('no such route');
  });
});

describe('fromFastifyError', () => {
  it('passes through what it does not know, as the same object', () => {
    const error = new Error('x');
    expect(fromFastifyError(error)).toBe(error);
    expect(fromFastifyError(null)).toBeNull();
  });

  it('turns a known Fastify error into a VaultError', () => {
    const mapped = fromFastifyError(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
    expect(mapped).toBeInstanceOf(VaultError);
    expect(mapped).toMatchObject({ code: 'payload_too_large', status: 413 });
  });
});
