import { createHash } from 'node:crypto';
import { FakePocketful } from './support/fake-pocketful';
import { TestVault } from './support/test-vault';
import { closeAll } from './support/close-all';
import { freePort } from './support/free-port';

const pageCode = (html: string) => /id="code">([^<]*)</.exec(html)?.[1];
const stored = async (vault: TestVault, clientId: string) => (await vault.fetch(`/v1/tokens/${clientId}`, { as: 'ops' })).status;
const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/** The form of the last code exchange the broker received. */
const lastExchange = (broker: FakePocketful) => broker.calls.filter((call) => call.path === '/oauth2/token').at(-1)?.form ?? {};

/** PKCE (RFC 7636, S256): the challenge with the redirect, the verifier only in the vault's own code exchange. */
describe('PKCE at login', () => {
  let broker: FakePocketful;
  let vault: TestVault;

  afterEach(async () => {
    await closeAll(() => vault?.close(), () => broker?.stop());
  });

  describe('with a broker that verifies it', () => {
    beforeEach(async () => {
      broker = await new FakePocketful().start();
      vault = await TestVault.start({ broker });
    });

    it('sends an S256 challenge per login, and the matching verifier at the exchange', async () => {
      const first = await vault.beginLogin();
      const second = await vault.beginLogin();
      const challenge = first.location.searchParams.get('code_challenge') ?? '';
      expect(challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(first.location.searchParams.get('code_challenge_method')).toBe('S256');
      expect(second.location.searchParams.get('code_challenge')).not.toBe(challenge);

      const page = await vault.callback({ code: broker.authorize(first.location, 'YA0002'), state: first.state });
      expect(page.status).toBe(200);
      const verifier = lastExchange(broker).code_verifier ?? '';
      expect(verifier).toMatch(/^[A-Za-z0-9._~-]{43,128}$/);
      expect(s256(verifier)).toBe(challenge);
      // The verifier goes only to the token endpoint: not in the redirect, not in the cookie.
      expect(first.location.toString()).not.toContain(verifier);
      expect(first.cookie).not.toContain(verifier);
    });

    it('cannot have a code issued for one login exchanged by another: the broker refuses, nothing is stored', async () => {
      const victim = await vault.beginLogin();
      const attacker = await vault.beginLogin();
      // A code obtained for the attacker's login, injected into the victim's callback (in the victim's browser).
      const injected = broker.authorize(attacker.location, 'YA0003');
      const page = await vault.callback({ code: injected, state: victim.state });
      const html = await page.text();
      expect(page.status).toBe(502);
      expect(pageCode(html)).toBe('broker_rejected');
      // What Pocketful says reaches the page: an operator whose every login ends so knows to try POCKETFUL_PKCE=false.
      expect(html).toContain('PKCE code challenge did not match');
      expect(await stored(vault, 'YA0003')).toBe(404);
      expect(s256(lastExchange(broker).code_verifier ?? '')).toBe(victim.location.searchParams.get('code_challenge'));
    });

    it('is refused by the broker when the exchange carries no verifier for a code bound to a challenge', async () => {
      const { location } = await vault.beginLogin();
      const code = broker.authorize(location, 'YA0002');
      const answer = broker.broker.exchange(
        `Basic ${Buffer.from(`${broker.options.appId}:${encodeURIComponent(broker.options.appSecret)}`).toString('base64')}`,
        { grant_type: 'authorization_code', code, redirect_uri: broker.options.redirectUrl },
      );
      expect(answer).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    });
  });

  it('is verified by the built-in sandbox broker too, through its login page', async () => {
    broker = await new FakePocketful().start();
    const port = await freePort();
    const self = `http://127.0.0.1:${port}`;
    vault = await TestVault.start({
      broker,
      env: { SANDBOX: 'true', PORT: String(port), POCKETFUL_BASE_URL: `${self}/sandbox`, REDIRECT_URL: `${self}/pocketful/callback` },
    });
    /** The person's way through the sandbox's page, with the challenge its form carries (or one put in its place). */
    const approve = async (location: URL, challenge?: string): Promise<Record<string, string>> => {
      const html = await (await fetch(location)).text();
      const carried = /name="code_challenge" value="([^"]+)"/.exec(html)?.[1] ?? '';
      expect(carried).toBe(location.searchParams.get('code_challenge'));
      const state = location.searchParams.get('state')!;
      const form = new URLSearchParams({ account: 'YA0002', decision: 'approve', scope: 'orders holdings', state, code_challenge: challenge ?? carried });
      const back = await fetch(`${self}/sandbox/oauth2/decide`, { method: 'POST', body: form, redirect: 'manual' });
      return Object.fromEntries(new URL(back.headers.get('location')!).searchParams);
    };
    const other = await vault.beginLogin();
    const tampered = await vault.beginLogin();
    const refused = await (await vault.callback(await approve(tampered.location, other.location.searchParams.get('code_challenge')!))).text();
    expect(pageCode(refused)).toBe('broker_rejected');
    const honest = await vault.beginLogin();
    expect((await vault.callback(await approve(honest.location))).status).toBe(200);

    const plain = new URL(honest.location);
    plain.searchParams.set('code_challenge_method', 'plain');
    const page = await fetch(plain);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('code_challenge_method must be S256');
  });

  it('works with a broker that ignores the PKCE parameters', async () => {
    broker = await new FakePocketful({ pkce: 'ignore' }).start();
    vault = await TestVault.start({ broker });
    const { state, location } = await vault.beginLogin();
    expect(location.searchParams.get('code_challenge')).not.toBeNull();
    expect((await vault.callback({ code: broker.authorize(location, 'YA0002'), state })).status).toBe(200);
    expect(lastExchange(broker).code_verifier).toBeDefined();
    expect(await stored(vault, 'YA0002')).toBe(200);
  });

  it('is left out entirely with POCKETFUL_PKCE=false', async () => {
    broker = await new FakePocketful().start();
    vault = await TestVault.start({ broker, env: { POCKETFUL_PKCE: 'false' } });
    const { state, location } = await vault.beginLogin();
    expect(location.searchParams.has('code_challenge')).toBe(false);
    expect(location.searchParams.has('code_challenge_method')).toBe(false);
    expect((await vault.callback({ code: broker.authorize(location, 'YA0002'), state })).status).toBe(200);
    expect(Object.keys(lastExchange(broker)).sort()).toEqual(['code', 'grant_type', 'redirect_uri']);
  });

  it('refuses POCKETFUL_PKCE other than true or false at start', async () => {
    broker = await new FakePocketful().start();
    await expect(TestVault.start({ broker, env: { POCKETFUL_PKCE: 'yes' } })).rejects.toThrow(/POCKETFUL_PKCE must be true or false/);
  });
});
