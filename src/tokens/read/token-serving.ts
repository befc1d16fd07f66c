import { Injectable, Logger } from '@nestjs/common';
import { RequestParty } from '../../access/vault-request';
import { AuditSettings } from '../../audit/audit.config';
import { AuditTrail } from '../../audit/audit-trail';
import { BrokersSettings } from '../../brokers/brokers.config';
import { Clock } from '../../clock/clock';
import { auditUnavailable, tokenNotFound, VaultError } from '../../errors/vault-error';
import { RateLimitSettings } from '../../rate-limit/rate-limit.config';
import { rateTracker } from '../../rate-limit/rate-limit.guard';
import { overLimit, overLimitWarning } from '../../rate-limit/rate-limiter';
import { StoredToken } from '../stored-token';
import { ServingOutcome, ServingRead, TokenReader } from './token-reader';

/**
 * Which read of a read that waits: its `first`, when it comes; one after a store woke it (`woken`); its `last`, at
 * its deadline, in case a store's event was lost on the way.
 */
export type WaitingRead = 'first' | 'woken' | 'last';

/**
 * Serves a token to a service client. The read is counted against the client's budget, the token taken and its
 * audit entry written, all by the TokenReader in one step; here the outcome becomes the token or a refusal.
 */
@Injectable()
export class TokenServing {
  private readonly logger = new Logger(TokenServing.name);

  constructor(
    private readonly reader: TokenReader,
    private readonly trail: AuditTrail,
    private readonly limits: RateLimitSettings,
    private readonly audit: AuditSettings,
    private readonly clock: Clock,
    private readonly brokers: BrokersSettings,
  ) {}

  async serve(request: RequestParty, clientId: string): Promise<StoredToken> {
    const token = this.tokenOf(request, clientId, await this.reader.read(this.servingRead(request, clientId, true)));
    if (token === null) throw this.notFound(clientId);
    return token;
  }

  /** The 404 of a read that found no token: it sends whoever reads it to the account's own broker's login. */
  notFound(clientId: string): VaultError {
    return tokenNotFound(clientId, this.brokers.accounts.loginPathOf(clientId));
  }

  /**
   * For a read that waits (`?wait=N`): null rather than 404 while there is no token. Only its `first` read is counted
   * against its client's budget (a read that waits is one request); a `woken` one is read with the others the same
   * store woke for the account.
   */
  async serveIfStored(request: RequestParty, clientId: string, read: WaitingRead): Promise<StoredToken | null> {
    return this.tokenOf(request, clientId, await this.reader.read(this.servingRead(request, clientId, read === 'first', read === 'woken')));
  }

  private servingRead(request: RequestParty, clientId: string, counted: boolean, woken = false): ServingRead {
    return {
      clientId,
      rate: counted && this.limits.enabled ? { tracker: rateTracker(request.caller, request.ip), limitPerMinute: this.limits.perMinute } : null,
      audit: this.trail.caller(request, clientId),
      failClosed: this.audit.failClosed,
      woken,
    };
  }

  private tokenOf(request: RequestParty, clientId: string, outcome: ServingOutcome): StoredToken | null {
    switch (outcome.kind) {
      case 'limited':
        if (outcome.firstRefusal) this.logger.warn(overLimitWarning(rateTracker(request.caller, request.ip), this.limits.perMinute));
        throw overLimit(outcome.retryAfterSeconds, this.limits.perMinute);
      case 'missing':
        return null;
      case 'audit_failed':
        this.logger.error(`refused to serve the token of ${clientId}: the audit trail cannot be written`);
        throw auditUnavailable();
      case 'unreadable':
        throw outcome.error;
      case 'served':
        if (!outcome.audited) this.logger.warn(`served the token of ${clientId} without an audit entry (AUDIT_FAIL_CLOSED=false)`);
        // The store drops a token at its expiry by the same clock; this has the last word in the token's last second.
        if (outcome.token.expiresAt.getTime() <= this.clock.now().getTime()) return null;
        return outcome.token;
    }
  }
}
