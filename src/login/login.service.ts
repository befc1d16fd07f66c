import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Clock } from '../clock/clock';
import { sha256Hex } from '../crypto/digest';
import { PocketfulClient } from '../pocketful/pocketful.client';
import { StoredToken } from '../tokens/stored-token';
import { TokensService } from '../tokens/tokens.service';
import { LoginStateStore } from './login-state.store';
import { codeAlreadyUsed, codeMissing, loginCancelled, loginRefused, stateMissing, stateReplayed, stateUnknown } from './login-error';

const STATE_BYTES = 32;
export const STATE_LIFETIME_MS = 10 * 60_000;
/** Pocketful's codes live about 15 minutes; a claim outlives any code by far. */
const CODE_CLAIM_LIFETIME_MS = 24 * 60 * 60_000;

const STATE_SHAPE = /^[A-Za-z0-9_-]{8,128}$/;
const CODE_SHAPE = /^[\x21-\x7e]{1,2048}$/;
const ERROR_SHAPE = /^[A-Za-z0-9_.-]{1,64}$/;

export interface CallbackQuery {
  code?: unknown;
  state?: unknown;
  error?: unknown;
  error_description?: unknown;
}

/**
 * The OAuth2 login: a single-use `state` per attempt, and each authorization code sent to Pocketful at most once,
 * across replicas and reloads. A reused code makes Pocketful revoke the token it already gave, so nothing here
 * retries the exchange.
 */
@Injectable()
export class LoginService {
  private readonly logger = new Logger(LoginService.name);

  constructor(
    private readonly states: LoginStateStore,
    private readonly pocketful: PocketfulClient,
    private readonly tokens: TokensService,
    private readonly clock: Clock,
  ) {}

  /** Returns the URL of Pocketful's login page for a new attempt. */
  async begin(): Promise<string> {
    const state = randomBytes(STATE_BYTES).toString('base64url');
    await this.states.saveState(sha256Hex(state), STATE_LIFETIME_MS);
    return this.pocketful.authorizeUrl(state);
  }

  async complete(query: CallbackQuery): Promise<StoredToken> {
    await this.takeState(query.state);
    if (query.error !== undefined) throw this.refusal(query);
    if (typeof query.code !== 'string' || !CODE_SHAPE.test(query.code)) throw codeMissing();
    const code = query.code;
    const claimed = await this.states.claimCode(sha256Hex(code), CODE_CLAIM_LIFETIME_MS);
    if (!claimed) throw codeAlreadyUsed();
    const grant = await this.pocketful.exchangeCode(code);
    return this.tokens.register(grant, 'login', this.clock.now());
  }

  /** Checked before anything else, so that an unknown or replayed callback never reaches Pocketful. */
  private async takeState(state: unknown): Promise<void> {
    if (state === undefined || state === '') throw stateMissing();
    if (typeof state !== 'string' || !STATE_SHAPE.test(state)) throw stateUnknown();
    const use = await this.states.takeState(sha256Hex(state));
    if (use === 'unknown') throw stateUnknown();
    if (use === 'used') throw stateReplayed();
  }

  private refusal(query: CallbackQuery) {
    const error = typeof query.error === 'string' && ERROR_SHAPE.test(query.error) ? query.error : 'unknown_error';
    this.logger.warn(`Pocketful sent the login back with error ${error}`);
    if (error === 'access_denied') return loginCancelled();
    const description =
      typeof query.error_description === 'string' && query.error_description.trim() !== ''
        ? query.error_description.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 300)
        : error;
    return loginRefused(description);
  }
}
