import { HttpModule } from '@nestjs/axios';
import { Test } from '@nestjs/testing';
import { closeAll } from '../../test/support/close-all';
import { FakePocketful } from '../../test/support/fake-pocketful';
import { ManualClock } from '../../test/support/manual-clock';
import { RecordingLogger } from '../../test/support/recording-logger';
import { settled } from '../../test/support/settled';
import { BASE_DAY } from '../../test/support/test-time';
import { Clock } from '../clock/clock';
import { AccountBrokers, otherBrokerAdapters, pocketfulBrokerAdapter } from '../tokens/account-brokers';
import { brokersConfig } from '../brokers/brokers.config';
import { loadConfiguration } from '../config/load-configuration';
import { sha256Hex } from '../crypto/digest';
import { keyringConfig } from '../crypto/keyring.config';
import { TokenFingerprint } from '../crypto/token-fingerprint';
import { httpConfig } from '../http/http.config';
import { VaultMetrics } from '../metrics/vault-metrics';
import { BrokerMetrics } from '../brokers/broker-metrics';
import { s256Challenge } from '../brokers/pkce';
import { PocketfulClient } from '../brokers/pocketful/pocketful.client';
import { pocketfulConfig } from '../brokers/pocketful/pocketful.config';
import { MemoryTokenStore } from '../tokens/memory-token.store';
import { StoredToken } from '../tokens/stored-token';
import { TokenEvents } from '../tokens/token-events';
import { TokenStore } from '../tokens/token.store';
import { TokensService } from '../tokens/tokens.service';
import { tokensConfig } from '../tokens/tokens.config';
import { LoginStateStore } from './login-state.store';
import { BegunLogin, CallbackQuery, CompletedLogin, isCompleted, LoginService, TakenBrokerLogin } from './login.service';
import { MemoryLoginStateStore } from './memory-login-state.store';

const MORNING = BASE_DAY.at('09:00');
const NEXT_MIDNIGHT = BASE_DAY.plus(1).at('00:00');
const TEN_MINUTES = 10 * 60_000;

/**
 * The login as the controller drives it, on the real Pocketful client against Pocketful played by a local server:
 * the memory ports for the states and the tokens, the vault's clock standing still on the base day.
 */
describe(LoginService.name, () => {
  let sut: LoginService;
  let broker: FakePocketful;
  let clock: ManualClock;
  let states: MemoryLoginStateStore;
  let store: MemoryTokenStore;
  let logger: RecordingLogger;
  let fingerprint: TokenFingerprint;
  let stored: StoredToken[];

  async function build(env: Record<string, string> = {}) {
    broker = await new FakePocketful().start();
    clock = new ManualClock(MORNING);
    states = new MemoryLoginStateStore(clock);
    store = new MemoryTokenStore(clock);
    logger = new RecordingLogger();
    const configuration = loadConfiguration({ TOKEN_STORE: 'memory', ...broker.variables, ...env }, [
      httpConfig,
      pocketfulConfig,
      brokersConfig,
      tokensConfig,
      keyringConfig,
    ]);
    const moduleRef = await Test.createTestingModule({
      imports: [HttpModule],
      providers: [
        LoginService,
        TokensService,
        AccountBrokers,
        pocketfulBrokerAdapter,
        otherBrokerAdapters,
        PocketfulClient,
        BrokerMetrics,
        VaultMetrics,
        TokenEvents,
        TokenFingerprint,
        ...configuration.entries().map(([settings, value]) => ({ provide: settings, useValue: value })),
        { provide: LoginStateStore, useValue: states },
        { provide: TokenStore, useValue: store },
        { provide: Clock, useValue: clock },
      ],
    })
      .setLogger(logger)
      .compile();
    logger.clear();
    sut = moduleRef.get(LoginService);
    fingerprint = moduleRef.get(TokenFingerprint);
    stored = [];
    moduleRef.get(TokenEvents).onStored((token) => void stored.push(token));
  }

  afterEach(async () => {
    await closeAll(() => broker?.stop());
  });

  /** The person approves the login at Pocketful as `clientId`: the code Pocketful sends back for it. */
  const approve = (login: BegunLogin, clientId = 'YA0002') => broker.authorize(new URL(login.url), clientId);

  /** The callback as the controller hands it over, from a browser whose login cookie holds `browserSecret` (or none). */
  const takeIn = (query: CallbackQuery, browserSecret?: string) =>
    sut.takeAt('pocketful', query, { secretOf: () => browserSecret, carriedState: () => undefined });

  /** A callback's state taken for a login still to finish (not a reload of a completed one). */
  function fresh(login: TakenBrokerLogin | CompletedLogin): TakenBrokerLogin {
    if (isCompleted(login)) throw new Error('a login taken fresh was read as completed');
    return login;
  }

  /** A login begun, approved at Pocketful and called back in the browser that began it. */
  async function takenLogin(clientId = 'YA0002'): Promise<{ login: BegunLogin; taken: TakenBrokerLogin; code: string }> {
    const login = await sut.beginAt('pocketful');
    const code = approve(login, clientId);
    const taken = fresh(await takeIn({ code, state: login.state }, login.browserSecret));
    return { login, taken, code };
  }

  const take = (query: CallbackQuery, browserSecret?: string) => settled(takeIn(query, browserSecret));

  describe('begin', () => {
    beforeEach(() => build());

    it('sends the person to Pocketful’s authorize URL with the state and an S256 challenge, which Pocketful accepts', async () => {
      const login = await sut.beginAt('pocketful');
      const url = new URL(login.url);
      expect(`${url.origin}${url.pathname}`).toBe(`${broker.url}/oauth2/auth`);
      expect(url.searchParams.get('state')).toBe(login.state);
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');
      expect(broker.broker.authorizeProblem(Object.fromEntries(url.searchParams))).toBeNull();
    });

    it('makes a fresh state and browser secret of 32 random bytes for every login', async () => {
      const first = await sut.beginAt('pocketful');
      const second = await sut.beginAt('pocketful');
      for (const value of [first.state, first.browserSecret, second.state, second.browserSecret]) {
        expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      }
      expect(new Set([first.state, first.browserSecret, second.state, second.browserSecret]).size).toBe(4);
    });

    it('saves the state only hashed, with the hash of the browser secret and the PKCE verifier, for ten minutes', async () => {
      const saveState = jest.spyOn(states, 'saveState');
      const login = await sut.beginAt('pocketful');
      expect(saveState).toHaveBeenCalledTimes(1);
      const [stateHash, pending, lifetimeMs] = saveState.mock.calls[0];
      expect(stateHash).toBe(sha256Hex(login.state));
      expect(pending.browserHash).toBe(sha256Hex(login.browserSecret));
      expect(s256Challenge(pending.verifier!)).toBe(new URL(login.url).searchParams.get('code_challenge'));
      expect(lifetimeMs).toBe(TEN_MINUTES);
      const saved = JSON.stringify(saveState.mock.calls[0]);
      expect(saved).not.toContain(login.state);
      expect(saved).not.toContain(login.browserSecret);
    });

    it('keeps the state until its tenth minute only', async () => {
      const inTime = await sut.beginAt('pocketful');
      const late = await sut.beginAt('pocketful');
      clock.advance(TEN_MINUTES - 1);
      expect(await take({ code: approve(inTime), state: inTime.state }, inTime.browserSecret)).toMatchObject({ state: inTime.state });
      clock.advance(1);
      expect(await take({ code: approve(late), state: late.state }, late.browserSecret)).toMatchObject({ code: 'state_unknown' });
    });

    it('with POCKETFUL_PKCE=false, sends no challenge and keeps no verifier', async () => {
      await broker.stop();
      await build({ POCKETFUL_PKCE: 'false' });
      const saveState = jest.spyOn(states, 'saveState');
      const login = await sut.beginAt('pocketful');
      expect(new URL(login.url).searchParams.has('code_challenge')).toBe(false);
      expect(saveState.mock.calls[0][1].verifier).toBeUndefined();
    });
  });

  describe('take', () => {
    beforeEach(() => build());

    it('refuses a callback without a state: state_missing, 400', async () => {
      const code = broker.broker.issueCode('YA0002');
      expect(await take({ code })).toMatchObject({ code: 'state_missing', status: 400 });
      expect(await take({ code, state: '' })).toMatchObject({ code: 'state_missing', status: 400 });
    });

    it('refuses a state of the wrong shape as state_unknown, without asking the store', async () => {
      const takeState = jest.spyOn(states, 'takeState');
      const code = broker.broker.issueCode('YA0002');
      for (const state of ['short', 'has spaces in it', 'x'.repeat(129), ['A'.repeat(43)], 42]) {
        expect(await take({ code, state })).toMatchObject({ code: 'state_unknown', status: 400 });
      }
      expect(takeState).not.toHaveBeenCalled();
    });

    it('refuses a well-formed state the vault never handed out: state_unknown', async () => {
      expect(await take({ code: broker.broker.issueCode('YA0002'), state: 'A'.repeat(43) }, 'secret')).toMatchObject({
        code: 'state_unknown',
        status: 400,
      });
    });

    it('hands out the code and the PKCE verifier with the state it takes', async () => {
      const saveState = jest.spyOn(states, 'saveState');
      const login = await sut.beginAt('pocketful');
      const code = approve(login);
      expect(await takeIn({ code, state: login.state }, login.browserSecret)).toEqual({
        code,
        state: login.state,
        verifier: saveState.mock.calls[0][1].verifier,
        stateKey: expect.any(String),
        browserHash: expect.any(String),
        broker: expect.objectContaining({ id: 'pocketful' }),
      });
    });

    it('refuses a state already taken: state_replayed, 409', async () => {
      const { login, code } = await takenLogin();
      expect(await take({ code, state: login.state }, login.browserSecret)).toMatchObject({ code: 'state_replayed', status: 409 });
    });

    it('refuses a callback from another browser, or one without the cookie, and leaves the state to the browser that began it', async () => {
      const login = await sut.beginAt('pocketful');
      const code = approve(login);
      expect(await take({ code, state: login.state }, 'another-browser')).toMatchObject({ code: 'login_state_mismatch', status: 400 });
      expect(await take({ code, state: login.state }, undefined)).toMatchObject({ code: 'login_state_mismatch', status: 400 });
      expect(await take({ code, state: login.state }, login.browserSecret)).toMatchObject({ code, state: login.state });
    });

    it('refuses a callback with no usable code, code_missing, and leaves the state pending', async () => {
      const login = await sut.beginAt('pocketful');
      for (const code of [undefined, '', 'with space', 'x'.repeat(2049), ['abc']]) {
        expect(await take({ code, state: login.state }, login.browserSecret)).toMatchObject({ code: 'code_missing', status: 400 });
      }
      const code = approve(login);
      expect(await take({ code, state: login.state }, login.browserSecret)).toMatchObject({ code });
    });

    it('takes the state of a login Pocketful sent back with an error, its description cleaned and cut', async () => {
      const login = await sut.beginAt('pocketful');
      const error_description = `The resource owner\ndenied\u0007\u0007the request ${'.'.repeat(400)}`;
      const taken = await takeIn({ error: 'access_denied', error_description, state: login.state }, login.browserSecret);
      expect(taken).toMatchObject({ error: 'access_denied', state: login.state });
      const { description } = taken as { description: string };
      expect(description.startsWith('The resource owner denied the request ...')).toBe(true);
      expect(description).toHaveLength(300);
      expect(await take({ code: approve(login), state: login.state }, login.browserSecret)).toMatchObject({ code: 'state_replayed' });
    });

    it('names an error of the wrong shape unknown_error, and describes an error without a description by its name', async () => {
      const first = await sut.beginAt('pocketful');
      expect(await takeIn({ error: '<script>', state: first.state }, first.browserSecret)).toMatchObject({
        error: 'unknown_error',
        description: 'unknown_error',
      });
      const second = await sut.beginAt('pocketful');
      expect(await takeIn({ error: 'server_error', error_description: '  ', state: second.state }, second.browserSecret)).toMatchObject({
        error: 'server_error',
        description: 'server_error',
      });
    });

    it('sends nothing to Pocketful', async () => {
      await takenLogin();
      expect(broker.calls.map((call) => call.path)).toEqual(['/oauth2/auth']);
    });
  });

  describe('finish', () => {
    it('ends a login cancelled at Pocketful (access_denied) as login_cancelled: nothing exchanged, nothing stored', async () => {
      await build();
      const login = await sut.beginAt('pocketful');
      const taken = fresh(await takeIn({ error: 'access_denied', state: login.state }, login.browserSecret));
      expect(await settled(sut.finishAt(taken))).toMatchObject({ code: 'login_cancelled', status: 400 });
      expect(broker.exchangedCodes).toEqual([]);
      expect(await store.accounts()).toEqual([]);
      expect(logger.at('warn')).toEqual(['Pocketful sent the login back with error access_denied']);
    });

    it('ends a login Pocketful refused with another error as login_refused, quoting its description', async () => {
      await build();
      const login = await sut.beginAt('pocketful');
      const taken = fresh(
        await takeIn({ error: 'invalid_scope', error_description: 'The requested scope is invalid', state: login.state }, login.browserSecret),
      );
      const error = await settled(sut.finishAt(taken));
      expect(error).toMatchObject({ code: 'login_refused', status: 400 });
      expect((error as Error).message).toBe('Pocketful refused the login: The requested scope is invalid. Nothing was stored.');
      expect(broker.exchangedCodes).toEqual([]);
    });

    it('exchanges the code once, with its PKCE verifier, and asks Pocketful whose token it got', async () => {
      await build();
      const { taken, code } = await takenLogin();
      const token = await sut.finishAt(taken);
      const exchange = broker.calls.find((call) => call.path === '/oauth2/token')!;
      expect(exchange.form).toMatchObject({ grant_type: 'authorization_code', code, code_verifier: taken.verifier });
      expect(broker.exchangedCodes).toEqual([code]);
      expect(broker.calls.filter((call) => call.path === '/api/v1/user/trading_info').map((call) => call.authorization)).toEqual([
        `Bearer ${token.accessToken}`,
      ]);
    });

    it('stores the token under the account Pocketful names, from the login, until the next cut-off', async () => {
      await build();
      const { taken } = await takenLogin('YA0003');
      const token = await sut.finishAt(taken);
      const expected: StoredToken = {
        clientId: 'YA0003',
        accessToken: token.accessToken,
        tokenType: 'bearer',
        scope: 'orders holdings',
        issuedAt: MORNING,
        expiresAt: NEXT_MIDNIGHT,
        source: 'login',
        fingerprint: fingerprint.of(token.accessToken),
      };
      expect(token).toEqual(expected);
      expect(await store.find('YA0003')).toEqual(expected);
      expect(broker.broker.tradingInfo(`Bearer ${token.accessToken}`)).toMatchObject({ status: 200, body: { data: { client_id: 'YA0003' } } });
      await Promise.resolve();
      expect(stored).toEqual([expected]);
    });

    it('tells the browser that completed a login, on a reload, which account it stored until when; anyone else hears state_replayed', async () => {
      await build();
      const { login, code, taken } = await takenLogin('YA0003');
      const token = await sut.finishAt(taken);
      const exchanged = broker.exchangedCodes.length;
      expect(await takeIn({ code, state: login.state }, login.browserSecret)).toEqual({
        completed: true,
        state: login.state,
        clientId: 'YA0003',
        expiresAt: token.expiresAt,
      });
      expect(await take({ code, state: login.state }, 'another-browser')).toMatchObject({ code: 'state_replayed', status: 409 });
      expect(await take({ code, state: login.state })).toMatchObject({ code: 'state_replayed', status: 409 });
      expect(broker.exchangedCodes).toHaveLength(exchanged);
    });

    it('claims the code: a second finish with the same code never reaches Pocketful, and the first token stays', async () => {
      await build();
      const first = await takenLogin();
      const token = await sut.finishAt(first.taken);
      const again = await sut.beginAt('pocketful');
      const replay = fresh(await takeIn({ code: first.code, state: again.state }, again.browserSecret));
      expect(await settled(sut.finishAt(replay))).toMatchObject({ code: 'code_already_used', status: 409 });
      expect(broker.exchangedCodes).toEqual([first.code]);
      expect(await store.find('YA0002')).toEqual(token);
      expect(broker.broker.tradingInfo(`Bearer ${token.accessToken}`).status).toBe(200);
    });

    it('claims the code before the exchange: a code whose exchange failed is never sent again', async () => {
      await build();
      broker.tokenReply = { status: 503, text: 'upstream unavailable' };
      const first = await takenLogin();
      expect(await settled(sut.finishAt(first.taken))).toMatchObject({ code: 'broker_unavailable' });
      broker.tokenReply = null;
      const again = await sut.beginAt('pocketful');
      const retry = fresh(await takeIn({ code: first.code, state: again.state }, again.browserSecret));
      expect(await settled(sut.finishAt(retry))).toMatchObject({ code: 'code_already_used' });
      expect(broker.exchangedCodes).toEqual([first.code]);
      expect(await store.accounts()).toEqual([]);
    });

    it('stores the token of an account ALLOWED_CLIENT_IDS lists', async () => {
      await build({ ALLOWED_CLIENT_IDS: 'YA0002' });
      const { taken } = await takenLogin('YA0002');
      await sut.finishAt(taken);
      expect(await store.find('YA0002')).toMatchObject({ clientId: 'YA0002', source: 'login' });
    });

    it('refuses the token of an account ALLOWED_CLIENT_IDS does not list, account_not_allowed, and stores nothing', async () => {
      await build({ ALLOWED_CLIENT_IDS: 'YA0002' });
      const { taken } = await takenLogin('YA0003');
      expect(await settled(sut.finishAt(taken))).toMatchObject({ code: 'account_not_allowed', status: 403 });
      expect(await store.accounts()).toEqual([]);
      await Promise.resolve();
      expect(stored).toEqual([]);
    });

    it('logs no state, browser secret, verifier, code or token', async () => {
      await build();
      const saveState = jest.spyOn(states, 'saveState');
      const { login, taken, code } = await takenLogin();
      const token = await sut.finishAt(taken);
      expect(logger.at('log')).toContain(`stored a token for YA0002 from login, expiring at ${NEXT_MIDNIGHT.toISOString()}`);
      const secrets = [login.state, login.browserSecret, saveState.mock.calls[0][1].verifier!, code, token.accessToken];
      expect(secrets.filter((secret) => logger.text.includes(secret))).toEqual([]);
    });
  });
});
