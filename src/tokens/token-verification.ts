import { Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { BrokerError } from '../brokers/broker-error';
import { Clock } from '../clock/clock';
import { CoordinationStore } from '../coordination/coordination.store';
import { tokenNotFound } from '../errors/vault-error';
import { RedisKeys } from '../redis/redis-keys';
import { AccountBrokers } from './account-brokers';
import { InvalidationCause, TokenEvents, VerificationTrigger } from './token-events';
import { TokenStore } from './token.store';

/** However many services report or verify an account's token, its broker is asked about it at most once in this span. */
export const CHECK_SPAN_MS = 30_000;
/** A check that got no verdict (a broker timeout, a 5xx) is shared this long only, with the checks that waited for it. */
export const NO_VERDICT_SPAN_MS = 2_000;
/** How often a check waiting on another replica's looks at the shared claim. */
const WAIT_STEP_MS = 100;

/**
 * Why a token was found not valid (`token_rejected`: the broker refused it; `wrong_account`: the broker says it is
 * another account's), or why no verdict was reached: the BrokerError's code, or `check_in_progress` when another
 * replica's check of it did not end in time.
 */
export type VerificationReason =
  | 'token_rejected'
  | 'wrong_account'
  | 'broker_timeout'
  | 'broker_unavailable'
  | 'broker_malformed_response'
  | 'broker_rejected'
  | 'check_in_progress';

export interface Verification {
  clientId: string;
  /** true: the broker accepts the token as this account's; false: it was removed; null: no verdict, nothing removed. */
  valid: boolean | null;
  reason?: VerificationReason;
  /** When the broker was asked: earlier than now for a verdict shared from a recent check. */
  checkedAt: Date;
  /** True when this call asked the broker; false when it was answered by a recent or concurrent check. */
  fresh: boolean;
  /** The token checked, for the audit trail: never the token itself. Only on a fresh check. */
  fingerprint?: string;
  /** What the broker's failure was, on a fresh check with no verdict. */
  error?: BrokerError;
}

/** A claim's value once settled: `live:<ms>`, `invalid:<ms>`, `wrong_account:<ms>`, `none:<reason>:<ms>`. */
const SETTLED = /^(live|invalid|wrong_account|none)(?::([a-z_]{1,40}))?(?::(\d{1,15}))?$/;

/**
 * Asks an account's broker whether the token the vault holds for it still works, for a consumer's report
 * (report-invalid) and for a verify, the same way: a token the broker refuses, or says is another account's, is
 * removed (only that token: a newer login's stays), and `invalidated` is told (the feed's token.removed, the invalid
 * alert). A broker's timeout or failure removes nothing. One check per account per CHECK_SPAN_MS across replicas
 * (a claim in the CoordinationStore); the callers in that span share its verdict.
 */
@Injectable()
export class TokenVerification {
  private readonly logger = new Logger(TokenVerification.name);

  constructor(
    private readonly store: TokenStore,
    private readonly brokers: AccountBrokers,
    private readonly coordination: CoordinationStore,
    private readonly events: TokenEvents,
    private readonly clock: Clock,
    private readonly keys: RedisKeys,
  ) {}

  /**
   * Checks the token, unless a check of it was made in the span (its verdict, `fresh: false`) or is under way
   * (`checking`). tokenNotFound when no live token is stored; the store's errors as they come.
   */
  async checkOrShare(clientId: string, by: string, trigger: VerificationTrigger): Promise<Verification | 'checking'> {
    const key = this.keys.reportCheck(clientId);
    if (!(await this.coordination.acquire(key, CHECK_SPAN_MS))) {
      return readSettled(clientId, await this.coordination.read(key), this.clock.now());
    }
    let verification: Verification;
    try {
      verification = await this.check(clientId, by, trigger);
    } catch (error) {
      // No verdict: let the next caller check again rather than wait out the span.
      await this.coordination.release(key).catch(() => undefined);
      throw error;
    }
    const { value, span } = settledValue(verification);
    await this.coordination.settle(key, value, span);
    return verification;
  }

  /**
   * A verdict now: a check of its own, or the one another caller made or is making (waited for up to `waitMs`, then
   * null with `check_in_progress`).
   */
  async verify(clientId: string, by: string, trigger: VerificationTrigger = 'verify', waitMs = this.brokers.timeoutMsOf(clientId) + 1_000): Promise<Verification> {
    for (let waited = 0; ; waited += WAIT_STEP_MS) {
      const outcome = await this.checkOrShare(clientId, by, trigger);
      if (outcome !== 'checking') return outcome;
      if (waited >= waitMs) return { clientId, valid: null, reason: 'check_in_progress', checkedAt: this.clock.now(), fresh: false };
      await sleep(WAIT_STEP_MS);
    }
  }

  private async check(clientId: string, by: string, trigger: VerificationTrigger): Promise<Verification> {
    const token = await this.store.find(clientId);
    if (!token || token.expiresAt <= this.clock.now()) throw tokenNotFound(clientId, this.brokers.loginPathOf(clientId));
    const broker = this.brokers.of(clientId);
    const asked = trigger === 'report' ? `${by} reported the token of ${clientId}` : `${by} verified the token of ${clientId}`;
    let cause: InvalidationCause;
    try {
      const { account } = await broker.whoami(token.accessToken);
      const checkedAt = this.clock.now();
      if (this.brokers.accountOf(broker.id, account) === clientId) {
        this.logger.log(`${asked}; ${broker.displayName} accepts it, so it is kept`);
        return { clientId, valid: true, checkedAt, fresh: true, fingerprint: token.fingerprint };
      }
      // Serving it would let this account's services trade on another account.
      cause = 'wrong_account';
    } catch (error) {
      if (!(error instanceof BrokerError)) throw error;
      if (error.failure !== 'unauthorized') {
        this.logger.warn(`${asked}; ${broker.displayName} gave no verdict (${error.code}), so it is kept`);
        return { clientId, valid: null, reason: error.code as VerificationReason, checkedAt: this.clock.now(), fresh: true, fingerprint: token.fingerprint, error };
      }
      cause = 'refused';
    }
    const checkedAt = this.clock.now();
    // Only this token goes: a login that stored a newer one meanwhile must not lose it.
    const removed = await this.store.removeIfCurrent(token);
    const why = cause === 'refused' ? 'refuses it' : 'says it is another account\'s';
    this.logger.warn(`${asked}; ${broker.displayName} ${why}, so it was ${removed ? 'removed' : 'already replaced'}`);
    if (removed) this.events.invalidated({ clientId, reportedBy: by, trigger, cause, at: checkedAt, expiresAt: token.expiresAt });
    const reason: VerificationReason = cause === 'refused' ? 'token_rejected' : 'wrong_account';
    return { clientId, valid: false, reason, checkedAt, fresh: true, fingerprint: token.fingerprint };
  }
}

function settledValue({ valid, reason, checkedAt }: Verification): { value: string; span: number } {
  const at = checkedAt.getTime();
  if (valid === true) return { value: `live:${at}`, span: CHECK_SPAN_MS };
  if (valid === false) return { value: `${reason === 'wrong_account' ? 'wrong_account' : 'invalid'}:${at}`, span: CHECK_SPAN_MS };
  return { value: `none:${reason}:${at}`, span: NO_VERDICT_SPAN_MS };
}

/** A claim read back: a verdict shared, or `checking` while it is held (or between a caller's release and the next). */
function readSettled(clientId: string, raw: string | null, now: Date): Verification | 'checking' {
  const match = raw === null ? null : SETTLED.exec(raw);
  // A bare `none` is a check that threw: no verdict to share. A bare `live` or `invalid` is an older replica's.
  if (!match || (match[1] === 'none' && match[2] === undefined)) return 'checking';
  const [, verdict, reason, at] = match;
  const checkedAt = at === undefined ? now : new Date(Number(at));
  if (verdict === 'live') return { clientId, valid: true, checkedAt, fresh: false };
  if (verdict === 'none') return { clientId, valid: null, reason: reason as VerificationReason, checkedAt, fresh: false };
  return { clientId, valid: false, reason: verdict === 'wrong_account' ? 'wrong_account' : 'token_rejected', checkedAt, fresh: false };
}
