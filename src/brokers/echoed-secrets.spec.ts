import { echoedForms, scrubSecrets } from './echoed-secrets';

// A code, an app secret with characters URL encoding changes, and a token, as the vault sends them to Pocketful.
const CODE = 'ory_ac_Qw3rTy8uIoP1aSdFgHjKlZxCvBnM.N4bVcXz9LkJhGfDsA2pOiUyTrEwQ';
const APP_SECRET = 'app+secret:with%odd/chars?&=';
const TOKEN = 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v.Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8Nn7Mm6L';
const SECRETS = [CODE, APP_SECRET, TOKEN];

const base64 = (text: string) => Buffer.from(text).toString('base64');
const base64url = (text: string) => Buffer.from(text).toString('base64url');

describe(scrubSecrets.name, () => {
  const sut = (text: string) => scrubSecrets(text, SECRETS);

  it.each([
    ['as sent', (secret: string) => secret],
    ['URL-encoded', encodeURIComponent],
    ['URL-encoded with lower-case escapes', (secret: string) => encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase())],
    ['form-encoded', (secret: string) => new URLSearchParams({ s: secret }).toString().slice(2)],
    ['URL-encoded twice', (secret: string) => encodeURIComponent(encodeURIComponent(secret))],
    ['in base64', base64],
    ['in base64 without its padding', (secret: string) => base64(secret).replace(/=+$/, '')],
    ['in base64url', base64url],
  ])('takes out each secret %s', (_form, encode) => {
    for (const secret of SECRETS) {
      const echoed = encode(secret);
      expect(sut(`invalid: '${echoed}' (again: ${echoed})`)).toBe("invalid: '[redacted]' (again: [redacted])");
    }
  });

  it('changes nothing when URL encoding leaves a secret as it is', () => {
    expect(encodeURIComponent(CODE)).toBe(CODE);
    expect(sut(`code ${CODE}`)).toBe('code [redacted]');
  });

  it.each([0, 1, 2])(
    'takes out of a longer base64 or base64url text every character made of a secret alone, %i byte(s) after a group starts',
    (shift) => {
      for (const secret of SECRETS) {
        const before = 'h'.repeat(shift + 3);
        const inside = Buffer.from(`${before}${secret}trailing bytes`);
        // The characters of whole groups of 3 bytes that all belong to the secret.
        const first = Math.ceil(before.length / 3) * 4;
        const last = Math.floor((before.length + Buffer.byteLength(secret)) / 3) * 4;
        for (const encoding of ['base64', 'base64url'] as const) {
          const encoded = inside.toString(encoding);
          const scrubbed = sut(encoded);
          const [kept, after, ...more] = scrubbed.split('[redacted]');
          expect(more).toEqual([]);
          expect(encoded.startsWith(kept) && kept.length <= first).toBe(true);
          expect(encoded.endsWith(after) && encoded.length - after.length >= last).toBe(true);
        }
      }
    },
  );

  it('takes out Basic credentials, and the app secret inside them', () => {
    const basic = base64(`app-id:${APP_SECRET}`);
    expect(scrubSecrets(`Authorization: Basic ${basic}`, [...SECRETS, basic])).toBe('Authorization: Basic [redacted]');
    // Without them among the secrets: all but the app id and the last two bytes, which share their groups.
    expect(scrubSecrets(`Basic ${basic}`, [APP_SECRET])).toMatch(/^Basic [A-Za-z0-9+/]{0,12}\[redacted\][A-Za-z0-9+/=]{0,4}$/);
  });

  it('takes out the first 8 characters or more of a secret, cut short in any form', () => {
    expect(sut(`the code ${CODE.slice(0, 12)}… has expired`)).toBe('the code [redacted]… has expired');
    expect(sut(`token ${TOKEN.slice(0, 8)}...`)).toBe('token [redacted]...');
    expect(sut(`secret ${encodeURIComponent(APP_SECRET).slice(0, 10)}`)).toBe('secret [redacted]');
    expect(sut(`code ${base64(CODE).slice(0, 20)}`)).toBe('code [redacted]');
  });

  it('takes the longest run that matches, and only that', () => {
    expect(sut(`${CODE.slice(0, 20)}ZZZ${CODE.slice(20)}`)).toBe(`[redacted]ZZZ${CODE.slice(20)}`);
  });

  it('leaves text that shares fewer than 8 characters with a secret', () => {
    expect(sut(`codes look like ${CODE.slice(0, 7)}…`)).toBe(`codes look like ${CODE.slice(0, 7)}…`);
    expect(sut('The provided authorization grant is invalid')).toBe('The provided authorization grant is invalid');
  });

  it('takes out a secret of 4 to 7 characters only whole, and one shorter never', () => {
    expect(scrubSecrets('pin 1234 and 123', ['1234'])).toBe('pin [redacted] and 123');
    expect(scrubSecrets('a bad request', ['a', 'bad'])).toBe('a bad request');
  });
});

describe(echoedForms.name, () => {
  it('gives each distinct form once, and none for a secret too short to be one', () => {
    const forms = echoedForms(APP_SECRET);
    expect(new Set(forms).size).toBe(forms.length);
    expect(forms).toEqual(expect.arrayContaining([APP_SECRET, encodeURIComponent(APP_SECRET), base64(APP_SECRET), base64url(APP_SECRET)]));
    expect(echoedForms('abc')).toEqual([]);
  });
});
