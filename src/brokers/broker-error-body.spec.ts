import { readBrokerErrorBody } from './broker-error-body';

// What the vault sends Pocketful and passes in as secrets: a code, the app secret, the Basic credentials, a token.
const CODE = 'ory_ac_Qw3rTy8uIoP1aSdFgHjKlZxCvBnM.N4bVcXz9LkJhGfDsA2pOiUyTrEwQ';
const APP_SECRET = 'app+secret:with%odd';
const BASIC = Buffer.from(`app-id:${APP_SECRET}`).toString('base64');
const TOKEN = `${'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v'}.${'Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8Nn7Mm6L'}`;
const SECRETS = [CODE, APP_SECRET, BASIC];

describe('readBrokerErrorBody: OAuth2 shape {error, error_description}', () => {
  it('reads code and description', () => {
    expect(
      readBrokerErrorBody(
        { error: 'invalid_grant', error_description: 'The provided authorization grant is invalid' },
        SECRETS,
      ),
    ).toEqual({ code: 'invalid_grant', description: 'The provided authorization grant is invalid' });
  });

  it('reads the same from the raw JSON text', () => {
    expect(readBrokerErrorBody('{"error":"invalid_client","error_description":"Client authentication failed"}', [])).toEqual({
      code: 'invalid_client',
      description: 'Client authentication failed',
    });
  });

  it("falls back to fosite's error_hint when there is no description", () => {
    expect(readBrokerErrorBody({ error: 'invalid_request', error_hint: 'The state is missing' }, [])).toEqual({
      code: 'invalid_request',
      description: 'The state is missing',
    });
  });

  it('scrubs the code it sent when the broker echoes it', () => {
    const detail = readBrokerErrorBody(
      {
        error: 'invalid_grant',
        error_description: `The authorization code '${CODE}' has already been used.`,
      },
      SECRETS,
    );
    expect(detail.description).toBe("The authorization code '[redacted]' has already been used.");
    expect(JSON.stringify(detail)).not.toContain(CODE);
  });

  it('scrubs the app secret and the Basic credentials, wherever they appear and however often', () => {
    const detail = readBrokerErrorBody(
      {
        error: `bad ${APP_SECRET}`,
        error_description: `header Basic ${BASIC}; secret ${APP_SECRET}; again ${APP_SECRET}`,
      },
      SECRETS,
    );
    const text = JSON.stringify(detail);
    expect(text).not.toContain(APP_SECRET);
    expect(text).not.toContain(BASIC);
    expect(detail.code).toBe('bad [redacted]');
    expect(detail.description).toBe('header Basic [redacted]; secret [redacted]; again [redacted]');
  });

  it('scrubs an access token echoed by trading_info', () => {
    const detail = readBrokerErrorBody(
      { status: 'error', message: `token ${TOKEN} is not valid`, error_code: 40000, data: {} },
      [TOKEN],
    );
    expect(detail.description).toBe('token [redacted] is not valid');
    expect(JSON.stringify(detail)).not.toContain(TOKEN);
  });

  it('scrubs the secrets it sent in the forms a broker may echo them: URL-encoded, base64, base64url, cut short', () => {
    const echoes = [encodeURIComponent(APP_SECRET), Buffer.from(CODE).toString('base64'), Buffer.from(TOKEN).toString('base64url'), `${TOKEN.slice(0, 10)}…`];
    const detail = readBrokerErrorBody({ error: `bad ${encodeURIComponent(APP_SECRET)}`, error_description: echoes.join(' | ') }, [...SECRETS, TOKEN]);
    expect(detail).toEqual({ code: 'bad [redacted]', description: '[redacted] | [redacted] | [redacted] | [redacted]…' });
  });

  it('scrubs a secret that sits across the length cap', () => {
    const description = `${'x'.repeat(290)}${TOKEN}`;
    const detail = readBrokerErrorBody({ error: 'e', error_description: description }, [TOKEN]);
    expect(detail.description).not.toContain(TOKEN.slice(0, 10));
  });

  it('does not treat a secret shorter than 4 characters as one (it would blank out ordinary words)', () => {
    expect(readBrokerErrorBody({ error: 'e', error_description: 'a bad request' }, ['a', 'bad']).description).toBe(
      'a bad request',
    );
  });
});

describe("readBrokerErrorBody: Pocketful's API shape {status, message, error_code, data}", () => {
  it('reads error_code (a number) as the code and message as the description', () => {
    expect(
      readBrokerErrorBody({ status: 'error', message: 'Request Unauthorised', error_code: 40000, data: {} }, []),
    ).toEqual({ code: '40000', description: 'Request Unauthorised' });
  });

  it('reads a string error_code', () => {
    expect(readBrokerErrorBody({ status: 'error', message: 'x', error_code: 'E42', data: null }, [])).toEqual({
      code: 'E42',
      description: 'x',
    });
  });

  it('ignores data, which may carry account details', () => {
    const detail = readBrokerErrorBody(
      { status: 'error', message: 'no', error_code: 1, data: { pan: 'ABCDE1234F', bank: 'secret-bank' } },
      [],
    );
    expect(JSON.stringify(detail)).not.toContain('ABCDE1234F');
    expect(JSON.stringify(detail)).not.toContain('secret-bank');
  });

  it('reads from JSON text as well', () => {
    expect(
      readBrokerErrorBody('{"status":"error","message":"Request Unauthorised","error_code":40000,"data":{}}', []),
    ).toEqual({ code: '40000', description: 'Request Unauthorised' });
  });
});

describe("readBrokerErrorBody: the other brokers' shapes", () => {
  it("reads Kite's error_type and message", () => {
    expect(readBrokerErrorBody({ status: 'error', message: 'Token is invalid or has expired.', error_type: 'TokenException', data: null }, [])).toEqual({
      code: 'TokenException',
      description: 'Token is invalid or has expired.',
    });
  });

  it("reads the first of Upstox's errors", () => {
    const body = {
      status: 'error',
      errors: [
        { errorCode: 'UDAPI100057', message: 'Invalid Auth code', propertyPath: null, invalidValue: null },
        { errorCode: 'UDAPI100000', message: 'another' },
      ],
    };
    expect(readBrokerErrorBody(body, [])).toEqual({ code: 'UDAPI100057', description: 'Invalid Auth code' });
  });

  it("reads Fyers' numeric code only when it says s: error", () => {
    expect(readBrokerErrorBody({ s: 'error', code: -413, message: 'Invalid auth code' }, [])).toEqual({ code: '-413', description: 'Invalid auth code' });
    expect(readBrokerErrorBody({ s: 'ok', code: 200, message: '' }, [])).toEqual({ code: undefined, description: undefined });
  });

  it("reads Dhan's errorCode and errorMessage, scrubbed", () => {
    const body = { errorType: 'Invalid_Authentication', errorCode: 'DH-901', errorMessage: `Client ID or user generated access token is invalid or expired: ${CODE}` };
    expect(readBrokerErrorBody(body, SECRETS)).toEqual({
      code: 'DH-901',
      description: 'Client ID or user generated access token is invalid or expired: [redacted]',
    });
  });

  it('scrubs a secret echoed inside any of them', () => {
    const said = readBrokerErrorBody({ status: 'error', errors: [{ errorCode: 'UDAPI100057', message: `Invalid Auth code ${CODE}` }] }, SECRETS);
    expect(said.description).not.toContain(CODE);
  });
});

describe('readBrokerErrorBody: anything else', () => {
  it.each([
    ['undefined', undefined],
    ['null', null],
    ['an empty string', ''],
    ['plain text', 'Bad Gateway'],
    ['HTML', '<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>'],
    ['JSON null', 'null'],
    ['a JSON string', '"oops"'],
    ['a JSON number', '42'],
    ['an array', [{ error: 'invalid_grant' }]],
    ['a JSON array', '[{"error":"invalid_grant"}]'],
    ['an empty object', {}],
    ['a number', 502],
    ['a Buffer', Buffer.from('{"error":"x"}')],
    ['fields of the wrong type', { error: { nested: true }, error_description: ['a'], message: false, error_code: NaN }],
    ['blank fields', { error: '   ', error_description: '' }],
  ])('gives no detail for %s', (_label, body) => {
    expect(readBrokerErrorBody(body, SECRETS)).toEqual({});
  });

  it('does not copy an HTML page that carries a secret', () => {
    const html = `<html><body>Bad request for code=${CODE}</body></html>`;
    expect(JSON.stringify(readBrokerErrorBody(html, SECRETS))).not.toContain(CODE);
  });

  it('has a code without a description, or a description without a code', () => {
    expect(readBrokerErrorBody({ error: 'server_error' }, [])).toEqual({ code: 'server_error', description: undefined });
    expect(readBrokerErrorBody({ message: 'Service Unavailable' }, [])).toEqual({
      code: undefined,
      description: 'Service Unavailable',
    });
  });

  it('prefers error over error_code, and error_description over message', () => {
    expect(readBrokerErrorBody({ error: 'a', error_code: 'b', error_description: 'c', message: 'd' }, [])).toEqual({
      code: 'a',
      description: 'c',
    });
  });
});

describe('readBrokerErrorBody: size and characters', () => {
  it('caps a huge description at 300 characters plus an ellipsis', () => {
    const detail = readBrokerErrorBody({ error: 'e', error_description: 'y'.repeat(1_000_000) }, []);
    expect(detail.description).toBe(`${'y'.repeat(300)}…`);
  });

  it('keeps a 300-character description whole', () => {
    expect(readBrokerErrorBody({ error: 'e', error_description: 'y'.repeat(300) }, []).description).toBe('y'.repeat(300));
  });

  it('caps the code at 64 characters', () => {
    expect(readBrokerErrorBody({ error: 'c'.repeat(5000) }, []).code).toBe('c'.repeat(64));
  });

  it('reads a huge JSON text body and still caps it', () => {
    const body = JSON.stringify({ error: 'invalid_grant', error_description: 'z'.repeat(200_000) });
    const detail = readBrokerErrorBody(body, []);
    expect(detail.code).toBe('invalid_grant');
    expect(detail.description).toHaveLength(301);
  });

  it('turns control characters (log-line forgery) into spaces and trims', () => {
    const detail = readBrokerErrorBody(
      { error: 'bad\r\nINFO forged', error_description: '  one\nline\u0000two\u001b[31mred\u007fend  ' },
      [],
    );
    expect(detail.code).toBe('bad INFO forged');
    expect(detail.description).toBe('one line two [31mred end');
    expect(JSON.stringify(detail)).not.toMatch(/[\u0000-\u001f\u007f]/);
  });
});
