import { Injectable, Logger } from '@nestjs/common';
import { Counter } from 'prom-client';
import { Clock } from '../clock/clock';
import { formatTimeOfDay } from '../clock/ist-time';
import { FairTurns } from '../concurrency/fair-turns';
import { CoordinationStore } from '../coordination/coordination.store';
import { VaultError } from '../errors/vault-error';
import { VaultMetrics } from '../metrics/vault-metrics';
import { RedisKeys } from '../redis/redis-keys';
import { EveryTokenVerification, VERIFY_ALL_AT_ONCE } from '../tokens/every-token-verification';
import { TokenStore } from '../tokens/token.store';
import { TokenVerification, Verification } from '../tokens/token-verification';
import { TokenSettings } from '../tokens/tokens.config';
import { AlertDispatcher } from './alert-dispatcher';
import { preopenAlert } from './alert-messages';
import { DuePreopenAttempt, duePreopenAttempt } from './alert-schedule';
import { AlertSettings } from './alert-settings';
import { PreopenLog, PreopenResult, PreopenUnknown } from './preopen-log';

/**
 * A broker that gave no verdict is asked again every 5 minutes, 3 times: from 08:45 that is 08:50, 08:55 and 09:00,
 * long enough for a broker's brief outage to pass, and the last answer still leaves 15 minutes to log in before the
 * market opens at 09:15.
 */
export const PREOPEN_RETRY_MS = 5 * 60_000;
export const PREOPEN_RETRIES = 3;
/** Who the audit and the logs name for the check's verifications. */
export const PREOPEN_CHECKER = 'pre-open check';
/** A replica that dies mid-attempt leaves its claim to lapse before the next attempt's step begins. */
const LEASE_MS = PREOPEN_RETRY_MS;
/** Longer than a day: an attempt is claimed once, whichever replica ticks and however often they restart. */
const DONE_KEEP_MS = 48 * 60 * 60_000;

type VerdictLabel = 'live' | 'refused' | 'unknown' | 'missing';

/**
 * The daily pre-open check (PREOPEN_CHECK_AT, every day in India): one replica, holding the attempt's claim in the
 * coordination store, verifies every stored token with its broker and sends one alert per channel naming every token
 * refused and every expected account with no token, each with its login link. Tokens without a verdict are asked
 * again at each retry; the outcome is kept for the status page. Run from the alert scan's tick, as the missing-token
 * check is, so there is one scheduler.
 */
@Injectable()
export class PreopenCheck {
  private readonly logger = new Logger(PreopenCheck.name);
  private readonly verdicts: Counter<'result'>;
  private readonly turns = new FairTurns(VERIFY_ALL_AT_ONCE);
  private running: Promise<PreopenResult | null> | null = null;

  constructor(
    private readonly settings: AlertSettings,
    private readonly tokens: TokenSettings,
    private readonly store: TokenStore,
    private readonly everyToken: EveryTokenVerification,
    private readonly verification: TokenVerification,
    private readonly coordination: CoordinationStore,
    private readonly dispatcher: AlertDispatcher,
    private readonly log: PreopenLog,
    private readonly clock: Clock,
    private readonly keys: RedisKeys,
    metrics: VaultMetrics,
  ) {
    this.verdicts = new Counter({
      name: 'token_vault_preopen_checks_total',
      help: 'Verdicts of the pre-open check, an account each per attempt: live, refused (removed), unknown (no verdict from the broker), missing (an expected account with no token).',
      labelNames: ['result'] as const,
      registers: [metrics.registry],
    });
    for (const result of ['live', 'refused', 'unknown', 'missing'] as const) this.verdicts.inc({ result }, 0);
  }

  /** The attempt due now, if this replica claims it; a tick while one runs in this process joins it. */
  tick(): Promise<PreopenResult | null> {
    this.running ??= this.runDue().finally(() => (this.running = null));
    return this.running;
  }

  private async runDue(): Promise<PreopenResult | null> {
    const time = this.settings.preopenCheckAt;
    if (time === null) return null;
    const due = duePreopenAttempt(time, this.clock.now(), PREOPEN_RETRY_MS, PREOPEN_RETRIES);
    if (!due) return null;
    const claim = this.keys.preopenClaim(due.date, due.attempt);
    if (!(await this.coordination.acquire(claim, LEASE_MS))) return null;
    try {
      const last = await this.log.last();
      const today = last?.date === due.date ? last : null;
      // Already made (by a replica that died before settling), or nothing left to retry.
      if (today && (today.attempt >= due.attempt || today.unknown.length === 0)) {
        await this.coordination.settle(claim, 'done', DONE_KEEP_MS);
        return null;
      }
      const result = today ? await this.retry(due, today) : await this.check(due);
      await this.log.save(result);
      await this.coordination.settle(claim, 'done', DONE_KEEP_MS);
      return result;
    } catch (error) {
      await this.coordination.release(claim).catch(() => undefined);
      this.logger.warn(`pre-open check of ${due.date} (attempt ${due.attempt}) failed: ${(error as { code?: string }).code ?? 'error'}; the next tick tries again`);
      throw error;
    }
  }

  /** Every stored token, and every expected account. */
  private async check(due: DuePreopenAttempt): Promise<PreopenResult> {
    const verifications = await this.everyToken.verifyAll(PREOPEN_CHECKER, 'preopen');
    const verified = new Set(verifications.map((verification) => verification.clientId));
    const missing = (await this.expectedAccounts()).filter((clientId) => !verified.has(clientId));
    const result = this.resultOf(due, verifications, missing, verifications.length);
    this.count(result.live.length, result.refused.length, result.unknown.length, missing.length);
    await this.announce(due, result.refused, missing, result);
    this.logger.log(`pre-open check of ${due.date}: ${verifications.length} token(s) checked, ${result.refused.length} refused, ${missing.length} missing, ${result.unknown.length} without a verdict`);
    return result;
  }

  /** The accounts the last attempt left without a verdict, asked again. */
  private async retry(due: DuePreopenAttempt, last: PreopenResult): Promise<PreopenResult> {
    const asked = last.unknown.map((unknown) => unknown.clientId);
    const answers = await Promise.all(asked.map((clientId) => this.turns.run(PREOPEN_CHECKER, () => this.verifyOne(clientId))));
    const verifications = answers.filter((answer): answer is Verification => answer !== null);
    const gone = asked.filter((clientId, index) => answers[index] === null);
    const now = this.resultOf(due, verifications, gone, 0);
    this.count(now.live.length, now.refused.length, now.unknown.length, gone.length);
    const result: PreopenResult = {
      ...now,
      checked: last.checked + verifications.length,
      live: sorted([...last.live, ...now.live]),
      refused: sorted([...last.refused, ...now.refused]),
      missing: sorted([...last.missing, ...gone]),
    };
    await this.announce(due, now.refused, gone, result);
    this.logger.log(`pre-open check of ${due.date}, retry ${due.attempt}: ${asked.length} asked again, ${result.unknown.length} still without a verdict`);
    return result;
  }

  private async verifyOne(clientId: string): Promise<Verification | null> {
    try {
      return await this.verification.verify(clientId, PREOPEN_CHECKER, 'preopen');
    } catch (error) {
      if (error instanceof VaultError && error.code === 'token_not_found') return null;
      throw error;
    }
  }

  /** One alert per channel for what this attempt found; and, after the last retry, the accounts still unknown. */
  private async announce(due: DuePreopenAttempt, refused: string[], missing: string[], result: PreopenResult): Promise<void> {
    const unknown = result.final ? result.unknown.map((entry) => entry.clientId) : [];
    if (refused.length + missing.length + unknown.length === 0) return;
    const alert = preopenAlert(due, { refused: sorted(refused), missing: sorted(missing), unknown: sorted(unknown) }, this.settings);
    await this.dispatcher.dispatch([alert]);
  }

  private resultOf(due: DuePreopenAttempt, verifications: Verification[], missing: string[], checked: number): PreopenResult {
    const unknown: PreopenUnknown[] = verifications
      .filter((verification) => verification.valid === null)
      .map((verification) => ({ clientId: verification.clientId, reason: verification.reason ?? 'broker_unavailable' }));
    return {
      date: due.date,
      time: formatTimeOfDay(due.time),
      attempt: due.attempt,
      checkedAt: this.clock.now(),
      checked,
      live: sorted(verifications.filter((verification) => verification.valid === true).map((verification) => verification.clientId)),
      refused: sorted(verifications.filter((verification) => verification.valid === false).map((verification) => verification.clientId)),
      missing: sorted(missing),
      unknown: unknown.sort((a, b) => (a.clientId < b.clientId ? -1 : 1)),
      final: due.attempt >= PREOPEN_RETRIES || unknown.length === 0,
    };
  }

  private count(live: number, refused: number, unknown: number, missing: number): void {
    const counts: Record<VerdictLabel, number> = { live, refused, unknown, missing };
    for (const [result, count] of Object.entries(counts)) if (count > 0) this.verdicts.inc({ result }, count);
  }

  /** EXPECTED_ACCOUNTS, else ALLOWED_CLIENT_IDS, else every account that ever stored a token: as the missing check. */
  private async expectedAccounts(): Promise<string[]> {
    const expected = this.settings.expectedAccounts ?? this.tokens.allowedClientIds;
    if (expected !== null) return [...new Set(expected)];
    return (await this.store.accounts()).map((record) => record.clientId);
  }
}

function sorted(ids: string[]): string[] {
  return [...new Set(ids)].sort();
}
