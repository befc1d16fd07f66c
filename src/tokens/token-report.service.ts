import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { CoordinationStore } from '../coordination/coordination.store';
import { tokenNotFound } from '../errors/vault-error';
import { BrokerError } from '../brokers/broker-error';
import { PocketfulClient } from '../brokers/pocketful/pocketful.client';
import { RedisKeys } from '../redis/redis-keys';
import { TokenEvents } from './token-events';
import { TokenStore } from './token.store';

/** However many services report an account's token, Pocketful is asked about it at most once in this span. */
export const REPORT_CHECK_SPAN_MS = 30_000;

export type ReportVerdict = 'invalid' | 'live';

export interface ReportOutcome {
  clientId: string;
  /** `invalid`: Pocketful refused it and it was removed; `live`: Pocketful accepts it; `checking`: another report's check is under way. */
  verdict: ReportVerdict | 'checking';
  /** False when this report was answered by a recent check rather than a new one. */
  checked: boolean;
  /** When the next report of this account leads to a new check, in seconds. */
  nextCheckIn: number;
}

/**
 * A consumer says Pocketful refused a token. The vault asks Pocketful itself before acting: a dead token is removed
 * (and an alert raised), a live one kept. The verdict of a check is shared with every report in the next 30 s.
 */
@Injectable()
export class TokenReportService {
  private readonly logger = new Logger(TokenReportService.name);

  constructor(
    private readonly store: TokenStore,
    private readonly pocketful: PocketfulClient,
    private readonly coordination: CoordinationStore,
    private readonly events: TokenEvents,
    private readonly clock: Clock,
    private readonly keys: RedisKeys,
  ) {}

  async report(clientId: string, reportedBy: string): Promise<ReportOutcome> {
    const key = this.keys.reportCheck(clientId);
    if (!(await this.coordination.acquire(key, REPORT_CHECK_SPAN_MS))) {
      const recent = await this.coordination.read(key);
      const verdict = recent === 'invalid' || recent === 'live' ? recent : 'checking';
      return { clientId, verdict, checked: false, nextCheckIn: Math.ceil(REPORT_CHECK_SPAN_MS / 1000) };
    }
    const verdict = await this.check(clientId, reportedBy).catch(async (error) => {
      // No verdict: let the next report check again rather than wait out the span.
      await this.coordination.settle(key, 'none', 1).catch(() => undefined);
      throw error;
    });
    await this.coordination.settle(key, verdict, REPORT_CHECK_SPAN_MS);
    return { clientId, verdict, checked: true, nextCheckIn: Math.ceil(REPORT_CHECK_SPAN_MS / 1000) };
  }

  private async check(clientId: string, reportedBy: string): Promise<ReportVerdict> {
    const token = await this.store.find(clientId);
    if (!token || token.expiresAt <= this.clock.now()) throw tokenNotFound(clientId);
    try {
      await this.pocketful.tradingInfo(token.accessToken);
      this.logger.log(`${reportedBy} reported the token of ${clientId}; Pocketful accepts it, so it is kept`);
      return 'live';
    } catch (error) {
      if (!(error instanceof BrokerError && error.failure === 'unauthorized')) throw error;
    }
    // Only this token goes: a login that stored a newer one meanwhile must not lose it.
    await this.store.removeIfCurrent(token);
    this.logger.warn(`${reportedBy} reported the token of ${clientId}; Pocketful refuses it, so it was removed`);
    this.events.invalidated({ clientId, reportedBy, at: this.clock.now(), expiresAt: token.expiresAt });
    return 'invalid';
  }
}
