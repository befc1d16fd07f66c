import { FakePocketful } from './support/fake-pocketful';
import { LogCapture } from './support/log-capture';
import { importToken } from './support/token-requests';
import { json, TestVault } from './support/test-vault';
import { VaultFixture } from './support/vault-fixture';

/** The forms a broker's error message might carry a secret in, as a careless or hostile one would write them. */
const ECHOES: Array<[string, (secret: string) => string]> = [
  ['URL-encoded', encodeURIComponent],
  ['form-encoded', (secret) => new URLSearchParams({ s: secret }).toString().slice(2)],
  ['in base64', (secret) => Buffer.from(secret).toString('base64')],
  ['in base64url', (secret) => Buffer.from(secret).toString('base64url')],
  ['cut to its first 12 characters', (secret) => `${secret.slice(0, 12)}…`],
];

/** A token as pasted from Pocketful's dashboard, with characters that URL encoding and base64 both change. */
const IMPORTED = 'tok+en/with=odd:chars%and?more-0123456789abcdef';

/**
 * Pocketful, faked on a local port, answers a code exchange and a token check with an error that quotes what the
 * vault sent it, in each of the forms above: the code and the app secret on the login's callback page, the token in
 * an import's 422 answer. None of them may reach the person, the caller or the log (where the vault writes the
 * request lines of both, and the broker's words nowhere).
 */
describe('secrets a broker echoes in its errors', () => {
  const logs = new LogCapture();
  let fixture: VaultFixture;
  let broker: FakePocketful;
  let vault: TestVault;

  beforeAll(async () => {
    fixture = await VaultFixture.start({ store: 'memory', logs, env: { LOG_LEVEL: 'trace' } });
    ({ broker, vault } = fixture);
  });

  afterAll(() => fixture?.close());

  /** The secret's echo and, where a page writes it, its echo as HTML escapes it. */
  const leaks = (text: string, echoes: string[]) => echoes.filter((echo) => text.includes(echo) || text.includes(echo.replace(/&/g, '&amp;')));

  it.each(ECHOES)('keeps the code and the app secret, echoed %s, off the callback page', async (_form, echo) => {
    const { state } = await vault.beginLogin();
    const code = broker.broker.issueCode('YA0002');
    const echoes = [echo(code), echo(broker.options.appSecret)];
    broker.tokenReply = { status: 400, body: { error: 'invalid_grant', error_description: `The code ${echoes[0]} is not valid for the client secret ${echoes[1]}` } };
    try {
      const page = await vault.callback({ code, state, scope: 'orders holdings' });
      const html = await page.text();
      expect(page.status).toBe(502);
      expect(/id="code">([^<]*)</.exec(html)?.[1]).toBe('broker_rejected');
      // The broker's words reached the page, without what it quoted.
      expect(/id="message">([^<]*)</.exec(html)?.[1]).toMatch(/The code \[redacted\]…? is not valid for the client secret \[redacted\]/);
      expect(leaks(html, echoes)).toEqual([]);
      expect(logs.leaked([...echoes, code])).toEqual([]);
    } finally {
      broker.tokenReply = null;
    }
  });

  it.each(ECHOES)("keeps an imported token, echoed %s, out of the 422 answer", async (_form, echo) => {
    const echoes = [echo(IMPORTED)];
    broker.tradingInfoReply = { status: 401, body: { status: 'error', message: `Token ${echoes[0]} is not valid`, error_code: 40000, data: {} } };
    try {
      const response = await importToken(vault, IMPORTED);
      const text = await response.clone().text();
      expect(response.status).toBe(422);
      const body = await json(response);
      expect(body.error).toBe('token_rejected');
      expect(body.message).toMatch(/Token \[redacted\]…? is not valid/);
      expect(leaks(text, [...echoes, IMPORTED])).toEqual([]);
      expect(logs.leaked([...echoes, IMPORTED])).toEqual([]);
    } finally {
      broker.tradingInfoReply = null;
    }
  });
});
