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

/** `broker` in an import's body, as JSON: a broker the vault does not know, one that is off, or not a name at all. */
const brokerFields: Array<[string, string]> = [
  ['an unknown broker', '"kotak"'],
  ['a broker that is off', '"zerodha"'],
  ['a broker in capitals', '"POCKETFUL"'],
  ['an empty broker', '""'],
  ['a broker with spaces', '" pocketful "'],
  ['a broker with control characters', '"pocketful\\u0000\\r\\n"'],
  ['a broker with markup', '"<script>alert(1)</script>"'],
  ['a 10 KB broker', `"${'z'.repeat(10 * KB)}"`],
  ['a broker named __proto__', '"__proto__"'],
  ['a broker named constructor', '"constructor"'],
  ['a broker:id for the broker', '"zerodha:AB1234"'],
  ['a number for the broker', '7'],
  ['null for the broker', 'null'],
  ['an array for the broker', '["pocketful"]'],
  ['an object for the broker', '{"$ne": null}'],
  ['a boolean for the broker', 'true'],
];

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
  ...brokerFields.map(([name, broker]): [string, Record<string, string>, string] => [name, json, `{"accessToken": "abcdefghijklmnopqrstuvwxyz", "broker": ${broker}}`]),
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
  { name: 'reader importing a token of a broker', method: 'POST', path: '/v1/tokens', headers: json, body: '{"accessToken":"abcdefghijklmnopqrstuvwxyz","broker":"pocketful"}', auth: 'reader' },
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

const controlCharacters = ['%00', '%01', '%07', '%08', '%09', '%0A', '%0D', '%1B', '%7F', '%C2%85', '%E2%80%A8', '%EF%BB%BF'];

const idsWithControls: BadRequest[] = controlCharacters.flatMap((character) => [
  { name: `GET token with ${character} in the id`, method: 'GET', path: `/v1/tokens/YA${character}0002`, auth: 'admin' },
  { name: `report-invalid with ${character} in the id`, method: 'POST', path: `/v1/tokens/YA${character}0002/report-invalid`, auth: 'admin' },
]);

const reportRoute: BadRequest[] = [
  ...badClientIds.map(([name, id]): BadRequest => ({ name: `report-invalid with ${name}`, method: 'POST', path: `/v1/tokens/${id}/report-invalid`, auth: 'admin' })),
  { name: 'report-invalid without a key', method: 'POST', path: '/v1/tokens/YA0002/report-invalid' },
  { name: 'report-invalid for an account the reader may not read', method: 'POST', path: '/v1/tokens/YA0003/report-invalid', auth: 'reader' },
  { name: 'report-invalid as GET', method: 'GET', path: '/v1/tokens/YA0002/report-invalid', auth: 'admin' },
  { name: 'report-invalid with a 1 MB body', method: 'POST', path: '/v1/tokens/YA0002/report-invalid', headers: json, body: Buffer.alloc(1024 * KB, 'x'), auth: 'admin' },
];

const verifyRoutes: BadRequest[] = [
  ...badClientIds.map(([name, id]): BadRequest => ({ name: `verify with ${name}`, method: 'POST', path: `/v1/tokens/${id}/verify`, auth: 'admin' })),
  ...controlCharacters.map((character): BadRequest => ({ name: `verify with ${character} in the id`, method: 'POST', path: `/v1/tokens/YA${character}0002/verify`, auth: 'admin' })),
  { name: 'verify without a key', method: 'POST', path: '/v1/tokens/YA0002/verify' },
  { name: 'verify for an account the reader may not read', method: 'POST', path: '/v1/tokens/YA0003/verify', auth: 'reader' },
  { name: 'verify as GET', method: 'GET', path: '/v1/tokens/YA0002/verify', auth: 'admin' },
  { name: 'verify with a 1 MB body', method: 'POST', path: '/v1/tokens/YA0002/verify', headers: json, body: Buffer.alloc(1024 * KB, 'x'), auth: 'admin' },
  { name: 'reader verifying every token', method: 'POST', path: '/v1/tokens/verify', auth: 'reader' },
  { name: 'verify-all without a key', method: 'POST', path: '/v1/tokens/verify' },
];

const nested = (depth: number, open: string, close: string) => `${open.repeat(depth)}${close.repeat(depth)}`;
const hostileJson: Array<[string, string]> = [
  ['10,000 nested arrays', nested(10_000, '[', ']')],
  ['nested objects under __proto__', '{"accessToken":"abcdefghijklmnopqrstuvwxyz","a":{"__proto__":{"polluted":true}}}'],
  ['an escaped __proto__ key', '{"accessToken":"abcdefghijklmnopqrstuvwxyz","\\u005f_proto__":{"x":1}}'],
  ['a duplicated accessToken key', '{"accessToken":"abcdefghijklmnopqrstuvwxyz","accessToken":{"$ne":null}}'],
  ['a prototype key', '{"prototype":{"admin":true},"accessToken":"abcdefghijklmnopqrstuvwxyz"}'],
  ['a lone surrogate in the token', '{"accessToken":"abcdefghijklmnop\\ud800qrstuvwxyz"}'],
  ['a huge number', `{"accessToken":${'9'.repeat(5000)}}`],
  ['a boolean token', '{"accessToken":true}'],
  ['an array token', '{"accessToken":["abcdefghijklmnopqrstuvwxyz"]}'],
  ['trailing garbage', '{"accessToken":"abcdefghijklmnopqrstuvwxyz"} trailing'],
  ['a BOM before the JSON', '\ufeff{"accessToken":"abcdefghijklmnopqrstuvwxyz"}'],
  ['single quotes', "{'accessToken':'abcdefghijklmnopqrstuvwxyz'}"],
  ['a comment', '{"accessToken":"abcdefghijklmnopqrstuvwxyz" /* hi */}'],
  ['NaN', '{"accessToken":NaN}'],
  ['10,000 keys', JSON.stringify(Object.fromEntries(Array.from({ length: 10_000 }, (_, index) => [`k${index}`, index])))],
];

const hostileImports: BadRequest[] = hostileJson.map(([name, body]) => ({
  name: `POST token with ${name}`,
  method: 'POST',
  path: '/v1/tokens',
  headers: json,
  body,
  auth: 'admin',
}));

const contentTypes = [
  'application/json; charset=latin1',
  'application/json; charset=utf-7',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  'application/octet-stream',
  'text/html',
  'application/jsonx',
  'json',
  'application/json, text/plain',
  '*/*',
];

const wrongContentTypes: BadRequest[] = contentTypes.map((type) => ({
  name: `POST token as ${type}`,
  method: 'POST',
  path: '/v1/tokens',
  headers: { 'content-type': type },
  body: type.includes('urlencoded') ? 'accessToken=short' : type.startsWith('multipart') ? '--x\r\n\r\n--x--' : '{"accessToken":"short"}',
  auth: 'admin',
}));

const headerAbuse: BadRequest[] = [
  { name: 'a 12 KB header', method: 'GET', path: '/v1/tokens/YA0002', headers: { 'x-filler': 'f'.repeat(12 * KB) } },
  { name: 'two hundred small headers', method: 'GET', path: '/v1/accounts', headers: Object.fromEntries(Array.from({ length: 200 }, (_, index) => [`x-h${index}`, 'v'])) },
  { name: 'duplicated Content-Type', method: 'POST', path: '/v1/tokens', headers: { 'content-type': ['application/json', 'text/plain'] }, body: '{"accessToken":"short"}', auth: 'admin' },
  { name: 'a bogus X-Request-Id', method: 'GET', path: '/v1/tokens/..', headers: { 'x-request-id': '<script>\u00e9'.repeat(50) }, auth: 'admin' },
  { name: 'a Host of junk', method: 'GET', path: '/v1/tokens/%2e%2e', headers: { host: 'evil.example:99999' }, auth: 'admin' },
  { name: 'Transfer-Encoding chunked with a bad body', method: 'POST', path: '/v1/tokens', headers: { ...json, 'transfer-encoding': 'chunked' }, body: '{"accessToken":', auth: 'admin' },
  { name: 'a bearer key in the query', method: 'GET', path: '/v1/tokens/YA0002?access_token=tvk_x' },
  { name: 'Basic auth with the key', method: 'GET', path: '/v1/accounts', headers: { authorization: `Basic ${Buffer.from('ops:tvk_x').toString('base64')}` } },
];

const callbackShapes: BadRequest[] = [
  ['a state of 7 characters', '?code=abc&state=abcdefg'],
  ['a state of 129 characters', `?code=abc&state=${'a'.repeat(129)}`],
  ['a state with a dot', `?code=abc&state=${'a'.repeat(20)}.b`],
  ['a state with a plus', `?code=abc&state=${'a'.repeat(20)}%2Bb`],
  ['a state with a slash', `?code=abc&state=${'a'.repeat(20)}%2Fb`],
  ['a state of spaces', `?code=abc&state=${'%20'.repeat(20)}`],
  ['a state in brackets', '?code=abc&state[]=abcdefghijkl'],
  ['a state as an object', '?code=abc&state[a]=abcdefghijkl'],
  ['a code with a NUL', `?code=ab%00c&state=${'A'.repeat(43)}`],
  ['a code in brackets', `?code[]=abc&state=${'A'.repeat(43)}`],
  ['a code of 3 KB', `?code=${'c'.repeat(3 * KB)}&state=${'A'.repeat(43)}`],
  ['an error of 1 KB', `?error=${'e'.repeat(KB)}&state=${'A'.repeat(43)}`],
  ['an error with a newline', `?error=access_denied%0Aforged&state=${'A'.repeat(43)}`],
  ['an error and a code', `?error=access_denied&code=abc&state=${'A'.repeat(43)}`],
  ['only an error', '?error=access_denied'],
].map(([name, query]) => ({ name: `callback with ${name}`, method: 'GET', path: `/pocketful/callback${query}` }));

export const BAD_REQUESTS: BadRequest[] = [
  ...tokenRoutes,
  ...importRoute,
  ...callbackRoute,
  ...unauthenticated,
  ...forbidden,
  ...strayRoutes,
  ...idsWithControls,
  ...reportRoute,
  ...verifyRoutes,
  ...hostileImports,
  ...wrongContentTypes,
  ...headerAbuse,
  ...callbackShapes,
];
