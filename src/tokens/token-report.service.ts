import { Injectable } from '@nestjs/common';
import { CHECK_SPAN_MS, TokenVerification } from './token-verification';

/** However many services report an account's token, Pocketful is asked about it at most once in this span. */
export const REPORT_CHECK_SPAN_MS = CHECK_SPAN_MS;

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

const NEXT_CHECK_IN = Math.ceil(REPORT_CHECK_SPAN_MS / 1000);

/**
 * A consumer says Pocketful refused a token. The vault asks Pocketful itself before acting (TokenVerification): a
 * dead token is removed (and an alert raised), a live one kept. The verdict of a check is shared with every report
 * and verify in the next 30 s. A check the broker gave no verdict to fails the report with the broker's error.
 */
@Injectable()
export class TokenReportService {
  constructor(private readonly verification: TokenVerification) {}

  async report(clientId: string, reportedBy: string): Promise<ReportOutcome> {
    const outcome = await this.verification.checkOrShare(clientId, reportedBy, 'report');
    if (outcome === 'checking' || outcome.valid === null) {
      if (outcome !== 'checking' && outcome.error) throw outcome.error;
      // A verdict under way, or a recent check without one: the next report after it checks again.
      return { clientId, verdict: 'checking', checked: false, nextCheckIn: NEXT_CHECK_IN };
    }
    return { clientId, verdict: outcome.valid ? 'live' : 'invalid', checked: outcome.fresh, nextCheckIn: NEXT_CHECK_IN };
  }
}
