import { RawRequest } from '../support/raw-request';

/**
 * Requests that every route must refuse with a 4xx and a clear error, whatever they carry. Data, not tests: add a
 * case here and the bad-input suite sends it. `auth` says which service key goes with it ('admin', 'reader' or
 * none), so that a case reaches the check it is meant for rather than stopping at authentication.
 */
export interface BadRequest extends RawRequest {
  name: string;
  auth?: 'admin' | 'reader';
}

const json = { 'content-type': 'application/json' };
const KB = 1024;

const badClientIds: Array<[string, string]> = [
  ['a path traversal', '..%2Fx'],
  ['an encoded dot-dot', '%2E%2E%2F%2E%2E%2Fetc%2Fpasswd'],
  ['a 10 KB id', 'A'.repeat(10 * KB)],
  ['a NUL byte', 'YA%000002'],
  ['a newline', 'YA0002%0D%0ASet-Cookie:%20x=y'],
  ['a space', 'YA%200002'],
  ['markup', '%3Cscript%3Ealert(1)%3C%2Fscript%3E'],
  ['non-ASCII letters', '%C3%9CA0002'],
  ['broken percent-encoding', '%E0%A4%A'],
  ['invalid UTF-8', '%FF%FE'],
  ['a 33-character id', 'A'.repeat(33)],
  ['a dot', 'YA.0002'],
  ['a star', '*'],
];

const tokenRoutes: BadRequest[] = badClientIds.flatMap(([name, id]) => [
  { name: `GET token with ${name}`, method: 'GET', path: `/v1/tokens/${id}`, auth: 'admin' },
  { name: `DELETE token with ${name}`, method: 'DELETE', path: `/v1/tokens/${id}`, auth: 'admin' },
]);

const importBodies: Array<[string, Record<string, string>, string | Buffer | undefined]> = [
  ['no body', json, undefined],
  ['an empty body', json, ''],
  ['broken JSON', json, '{"accessToken": '],
  ['a JSON string', json, '"abcdefghijklmnopqrstuvwxyz"'],
  ['JSON null', json, 'null'],
  ['a JSON array', json, '[{"accessToken":"abcdefghijklmnopqrstuvwxyz"}]'],
  ['a number for the token', json, '{"accessToken": 12345678901234567890}'],
  ['an object for the token', json, '{"accessToken": {"$gt": ""}}'],
  ['no token field', json, '{"token": "abcdefghijklmnopqrstuvwxyz"}'],
  ['an extra field', json, '{"accessToken": "abcdefghijklmnopqrstuvwxyz", "clientId": "YA0002"}'],
  ['a short token', json, '{"accessToken": "short"}'],
  ['a token with spaces', json, '{"accessToken": "abc def ghi jkl mno pqr"}'],
  ['a token with control characters', json, '{"accessToken": "abcdefgh\\u0000ijklmnop\\r\\n"}'],
  ['a 10 KB token', json, JSON.stringify({ accessToken: 'a'.repeat(10 * KB) })],
  ['a 20 KB body', json, JSON.stringify({ accessToken: 'a'.repeat(20 * KB) })],
  ['a 1 MB body', json, Buffer.alloc(1024 * KB, 'a')],
  ['__proto__', json, '{"accessToken": "abcdefghijklmnopqrstuvwxyz", "__proto__": {"admin": true}}'],
  ['constructor.prototype', json, '{"accessToken": "abcdefghijklmnopqrstuvwxyz", "constructor": {"prototype": {"admin": true}}}'],
  ['deeply nested JSON', json, `${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}`],
  ['text/plain', { 'content-type': 'text/plain' }, 'abcdefghijklmnopqrstuvwxyz'],
  ['XML', { 'content-type': 'application/xml' }, '<accessToken>abcdefghijklmnopqrstuvwxyz</accessToken>'],
  ['a missing content type', {}, '{"accessToken": "abcdefghijklmnopqrstuvwxyz"}'],
  ['an empty content type', { 'content-type': '' }, '{"accessToken": "abcdefghijklmnopqrstuvwxyz"}'],
  ['a malformed content type', { 'content-type': 'application/json; charset' }, '{"accessToken": "abcdefghijklmnopqrstuvwxyz"}'],
  ['invalid UTF-8', json, Buffer.concat([Buffer.from('{"accessToken": "abcdefghijklmnop'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')])],
  ['a Content-Length that lies', { ...json, 'content-length': '5' }, '{"accessToken": "abcdefghijklmnopqrstuvwxyz"}'],
];

const importRoute: BadRequest[] = importBodies.map(([name, headers, body]) => ({
  name: `POST token with ${name}`,
  method: 'POST',
  path: '/v1/tokens',
  headers,
  body,
  auth: 'admin',
}));

const callbackQueries: Array<[string, string]> = [
  ['no query', ''],
  ['a missing state', '?code=abc'],
  ['an empty state', '?code=abc&state='],
  ['a short state', '?code=abc&state=abc'],
  ['a 10 KB state', `?code=abc&state=${'s'.repeat(10 * KB)}`],
  ['a state with control characters', '?code=abc&state=abcdefgh%00%0D%0A'],
  ['two states', '?code=abc&state=abcdefghijkl&state=mnopqrstuvwx'],
  ['a state with markup', '?code=abc&state=%3Cscript%3Ealert(1)%3C/script%3E'],
  ['a state of invalid UTF-8', '?code=abc&state=%FF%FE%FD%FC%FB%FA%F9%F8'],
  ['an unknown state', `?code=abc&state=${'A'.repeat(43)}`],
  ['an unknown state and no code', `?state=${'A'.repeat(43)}`],
  ['an empty code', `?code=&state=${'A'.repeat(43)}`],
  ['a 10 KB code', `?code=${'c'.repeat(10 * KB)}&state=${'A'.repeat(43)}`],
  ['a code with spaces', `?code=a%20b&state=${'A'.repeat(43)}`],
  ['two codes', `?code=a&code=b&state=${'A'.repeat(43)}`],
  ['an error with markup', `?error=%3Cb%3E&error_description=%3Cscript%3E&state=${'A'.repeat(43)}`],
  ['a broken percent-encoding', '?code=%E0%A4%A&state=%'],
];

const callbackRoute: BadRequest[] = callbackQueries.map(([name, query]) => ({
  name: `callback with ${name}`,
  method: 'GET',
  path: `/pocketful/callback${query}`,
}));

const authHeaders: Array<[string, Record<string, string | string[]>]> = [
  ['no Authorization', {}],
  ['an empty Authorization', { authorization: '' }],
  ['a bare Bearer', { authorization: 'Bearer' }],
  ['a wrong key', { authorization: 'Bearer tvk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
  ['a 7 KB key', { authorization: `Bearer ${'k'.repeat(7 * KB)}` }],
  ['Basic credentials', { authorization: 'Basic dXNlcjpwYXNz' }],
  ['two Authorization headers', { authorization: ['Bearer a', 'Bearer b'] }],
  ['a key with Latin-1 bytes', { authorization: 'Bearer tvk_\u00e9\u00ff' }],
  ['lower-case bearer with a wrong key', { authorization: 'bearer tvk_wrong' }],
];

const unauthenticated: BadRequest[] = authHeaders.flatMap(([name, headers]) => [
  { name: `GET token with ${name}`, method: 'GET', path: '/v1/tokens/YA0002', headers },
  { name: `DELETE token with ${name}`, method: 'DELETE', path: '/v1/tokens/YA0002', headers },
  { name: `POST token with ${name}`, method: 'POST', path: '/v1/tokens', headers: { ...headers, ...json }, body: '{"accessToken":"abcdefghijklmnopqrstuvwxyz"}' },
  { name: `GET accounts with ${name}`, method: 'GET', path: '/v1/accounts', headers },
]);

const forbidden: BadRequest[] = [
  { name: 'reader deleting a token', method: 'DELETE', path: '/v1/tokens/YA0002', auth: 'reader' },
  { name: 'reader importing a token', method: 'POST', path: '/v1/tokens', headers: json, body: '{"accessToken":"abcdefghijklmnopqrstuvwxyz"}', auth: 'reader' },
  { name: 'reader listing accounts', method: 'GET', path: '/v1/accounts', auth: 'reader' },
  { name: 'reader reading another account', method: 'GET', path: '/v1/tokens/YA0003', auth: 'reader' },
];

const strayRoutes: BadRequest[] = [
  { name: 'PUT on a token', method: 'PUT', path: '/v1/tokens/YA0002', headers: json, body: '{}', auth: 'admin' },
  { name: 'PATCH on a token', method: 'PATCH', path: '/v1/tokens/YA0002', headers: json, body: '{}', auth: 'admin' },
  { name: 'POST on login', method: 'POST', path: '/pocketful/login', headers: json, body: '{}' },
  { name: 'an unknown route', method: 'GET', path: '/v1/secrets' },
  { name: 'a path traversal route', method: 'GET', path: '/v1/../../etc/passwd' },
  { name: 'an empty token id', method: 'GET', path: '/v1/tokens/', auth: 'admin' },
  { name: 'a double slash', method: 'GET', path: '/v1/tokens//YA0002', auth: 'admin' },
  { name: 'a 10 KB unknown path', method: 'GET', path: `/${'p'.repeat(10 * KB)}` },
  { name: 'a query on health with junk', method: 'POST', path: '/health/ready', headers: json, body: '{' },
];

export const BAD_REQUESTS: BadRequest[] = [...tokenRoutes, ...importRoute, ...callbackRoute, ...unauthenticated, ...forbidden, ...strayRoutes];
