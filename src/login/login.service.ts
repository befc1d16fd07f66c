import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Clock } from '../clock/clock';
import { sha256Hex } from '../crypto/digest';
import { BrokerAdapter, BrokerId } from '../brokers/broker-adapter';
import { VaultError, vaultError } from '../errors/vault-error';
import { AccountBrokers } from '../tokens/account-brokers';
import { StoredToken } from '../tokens/stored-token';
import { TokensService } from '../tokens/tokens.service';
import { CallbackBrowser } from './login-cookie';
import { LoginStateStore } from './login-state.store';
import {
  codeAlreadyUsed,
  codeMissing,
  loginCancelled,
  loginRefused,
  loginStateMismatch,
  noLoginInBrowser,
  stateMissing,
  stateReplayed,
  stateUnknown,
} from './login-error';

const SECRET_BYTES = 32;
export const STATE_LIFETIME_MS = 10 * 60_000;
/** Pocketful's codes live about 15 minutes; a claim outlives any code by far. */
const CODE_CLAIM_LIFETIME_MS = 24 * 60 * 60_000;

/** Why a state was not taken, as the person is told. */
const REFUSED_TAKE = { unknown: stateUnknown, used: stateReplayed, mismatch: loginStateMismatch };

const STATE_SHAPE = /^[A-Za-z0-9_-]{8,128}$/;
const CODE_SHAPE = /^[\x21-\x7e]{1,2048}$/;
const ERROR_SHAPE = /^[A-Za-z0-9_.-]{1,64}$/;

export interface CallbackQuery {
  code?: unknown;
  state?: unknown;
  error?: unknown;
  error_description?: unknown;
}

/** A login just begun: where to send the person, and the secret their browser keeps for the callback. */
export interface BegunLogin {
  url: string;
  state: string;
  browserSecret: string;
}

/** What Pocketful answered to a login whose state this callback took: a code, or an error. */
type Answer = { code: string } | { error: string; description: string };

/** A login whose state is used up: whatever follows, it is over. `stateKey` and `browserHash` record how it ended. */
export type TakenLogin = Answer & { state: string; verifier?: string; stateKey: string; browserHash: string };

/** Another broker's login whose state is used up, with the adapter that ends it. */
export type TakenBrokerLogin = TakenLogin & { broker: BrokerAdapter };

/** A reload of the callback of a login that stored its token, by the browser that made it: nothing is done again. */
export interface CompletedLogin {
  completed: true;
  state: string;
  clientId: string;
  expiresAt: Date;
}

export const isCompleted = (login: TakenLogin | CompletedLogin): login is CompletedLogin => 'completed' in login;

/**
 * Every broker's login, through its adapter: a single-use `state` per attempt, bound to the browser that began it, a
 * PKCE verifier where the broker takes one, and each authorization code sent to the broker at most once, across
 * replicas and reloads. A reused code makes Pocketful (and others) revoke the token it already gave, so nothing here
 * retries the exchange.
 */
@Injectable()
export class LoginService {
  private readonly logger = new Logger(LoginService.name);

  constructor(
    private readonly states: LoginStateStore,
    private readonly tokens: TokensService,
    private readonly clock: Clock,
    private readonly brokers: AccountBrokers,
  ) {}

  /** The state travels through URLs, to the broker and back; the browser secret only into this browser's cookie. */
  async beginAt(brokerId: BrokerId): Promise<BegunLogin> {
    const broker = this.adapterOf(brokerId);
    const state = randomBytes(SECRET_BYTES).toString('base64url');
    const browserSecret = randomBytes(SECRET_BYTES).toString('base64url');
    const { url, verifier } = await broker.loginStart(state);
    await this.states.saveState(brokerStateKey(broker.id, state), { browserHash: sha256Hex(browserSecret), verifier }, STATE_LIFETIME_MS);
    return { url, state, browserSecret };
  }

  /**
   * Checks the callback, read by the broker's own names (Kite's `request_token`, `status`), then takes its state for
   * the browser that began it. Everything refused here leaves the state as it was, so that a stray or forged callback
   * (no code, another browser) cannot end a person's login; nothing of it reaches the broker either. For a broker
   * that sends no state back (Dhan), the state is the one the browser's login cookie carries, and only that one.
   */
  async takeAt(brokerId: BrokerId, query: CallbackQuery, browser: CallbackBrowser): Promise<TakenBrokerLogin | CompletedLogin> {
    const broker = this.adapterOf(brokerId);
    const name = broker.displayName;
    // The state first: a callback that names no login here is told so before anything else of it is read. Every
    // broker that sends a state back sends it as `state`.
    const state = broker.returnsState ? this.checkedState(query.state, name) : this.carriedState(browser, name);
    const outcome = broker.readCallback(textQuery(query));
    let answer: Answer;
    if (outcome.kind === 'refused') {
      const error = outcome.error !== undefined && ERROR_SHAPE.test(outcome.error) ? outcome.error : 'login_failed';
      answer = { error, description: outcome.reason.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 300) };
    } else {
      if (!CODE_SHAPE.test(outcome.code)) throw codeMissing(name);
      answer = { code: outcome.code };
    }
    const browserSecret = browser.secretOf(state);
    const stateKey = brokerStateKey(broker.id, state);
    const browserHash = browserSecret === undefined ? '' : sha256Hex(browserSecret);
    const taken = await this.states.takeState(stateKey, browserHash);
    if (taken.use === 'done') return { completed: true, state, clientId: taken.account, expiresAt: taken.expiresAt };
    if (taken.use !== 'fresh') throw REFUSED_TAKE[taken.use](name);
    return { ...answer, state, verifier: taken.verifier, stateKey, browserHash, broker };
  }

  /**
   * Ends a taken login: an error from the broker ends it there; a code is claimed before its one exchange, and the
   * token stored under the account the broker's whoami names.
   */
  async finishAt(login: TakenBrokerLogin): Promise<StoredToken> {
    const { broker } = login;
    if ('error' in login) {
      this.logger.warn(`${broker.displayName} sent the login back with error ${login.error}`);
      throw login.error === 'access_denied' ? loginCancelled(broker.displayName) : loginRefused(login.description, broker.displayName);
    }
    const claimed = await this.states.claimCode(codeClaimKey(broker.id, login.code), CODE_CLAIM_LIFETIME_MS);
    if (!claimed) throw codeAlreadyUsed(broker.displayName);
    const grant = await broker.exchange(login.code, { verifier: login.verifier });
    return this.completed(login, await this.tokens.registerFrom(broker, grant, 'login', this.clock.now()));
  }

  /** The login stored its token: a reload of its callback from the same browser is told so, and sends nothing. */
  private async completed(login: TakenLogin, token: StoredToken): Promise<StoredToken> {
    await this.states.completeState(login.stateKey, login.browserHash, token.clientId, token.expiresAt).catch((error: unknown) => {
      // The token is stored: a reload would only hear "already completed" instead of which account.
      this.logger.warn(`login of ${token.clientId} stored, but not recorded for a reload: ${(error as { code?: string }).code ?? 'store error'}`);
    });
    return token;
  }

  private adapterOf(brokerId: BrokerId): BrokerAdapter {
    const broker = this.brokers.adapter(brokerId);
    if (broker === null) throw brokerNotConfigured(brokerId);
    return broker;
  }

  /** The state a login cookie carries; none (or not one the vault makes) is a browser with no login under way. */
  private carriedState(browser: CallbackBrowser, broker: string): string {
    const state = browser.carriedState();
    if (state === undefined || !STATE_SHAPE.test(state)) throw noLoginInBrowser(broker);
    return state;
  }

  private checkedState(state: unknown, broker = 'Pocketful'): string {
    if (state === undefined || state === '') throw stateMissing(broker);
    if (typeof state !== 'string' || !STATE_SHAPE.test(state)) throw stateUnknown(broker);
    return state;
  }
}

/**
 * Pocketful's states and codes are kept under their bare hash, as the version before brokers were named keeps them,
 * so that replicas of both versions side by side share one login; another broker's under its name too, so that a
 * state begun for one broker is unknown at another's callback.
 */
function brokerStateKey(broker: BrokerId, state: string): string {
  return sha256Hex(broker === 'pocketful' ? state : `${broker}:${state}`);
}

function codeClaimKey(broker: BrokerId, code: string): string {
  return sha256Hex(broker === 'pocketful' ? code : `${broker}:${code}`);
}

/** The callback's query as the adapters read it: repeated or odd values count as absent. */
function textQuery(query: CallbackQuery): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(query).map(([name, value]) => [name, typeof value === 'string' ? value : undefined]));
}

/** A login route of a broker that is off: 404, the same on every route of its login. */
export function brokerNotConfigured(brokerId: BrokerId): VaultError {
  return vaultError('not_found', `${brokerId} is not configured on this vault: set its API key to log in to it.`);
}
