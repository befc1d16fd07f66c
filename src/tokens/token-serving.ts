import { Injectable, Logger } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { RequestParty, VaultRequest } from '../access/vault-request';
import { AuditSettings } from '../audit/audit.config';
import { AuditTrail, auditUnavailable } from '../audit/audit-trail';
import { Clock } from '../clock/clock';
import { rateLimited } from '../errors/rate-limited';
import { tokenNotFound } from '../errors/vault-error';
import { RateLimitSettings } from '../rate-limit/rate-limit.config';
import { rateTracker } from '../rate-limit/rate-limit.guard';
import { overLimitWarning } from '../rate-limit/rate-limiter';
import { StoredToken } from './stored-token';
import { ServingOutcome, ServingRead, TokenReader } from './token-reader';

/** A read the token read lane made and did not answer: what serve() is to answer for it instead of reading again. */
type Deferred = { outcome: ServingOutcome } | { error: unknown };

/**
 * Serves a token to a service client: the read counted against the client's budget, the token taken and its audit
 * entry written, all by the TokenReader in one step (one Redis round trip); here, only the outcome is turned into
 * an answer.
 */
@Injectable()
export class TokenServing {
  private readonly logger = new Logger(TokenServing.name);
  /** By the request as node:http has it, so that the framework's request for the same one finds it (request.raw). */
  private readonly deferred = new WeakMap<IncomingMessage, Deferred>();

  constructor(
    private readonly reader: TokenReader,
    private readonly trail: AuditTrail,
    private readonly limits: RateLimitSettings,
    private readonly audit: AuditSettings,
    private readonly clock: Clock,
  ) {}

  async serve(request: VaultRequest, clientId: string): Promise<StoredToken> {
    const token = this.tokenOf(request, clientId, await this.readOnce(request, clientId));
    if (token === null) throw tokenNotFound(clientId);
    return token;
  }

  /**
   * The token read lane's read (tokens/token-read-lane.ts): the token when it is to be served, else null, and what
   * was found instead (a limit, no token, an audit or store failure) is kept for serve(), which the framework then
   * calls for the same request: the read is counted and recorded once, and refused in the framework's one way.
   */
  async serveOrDefer(raw: IncomingMessage, party: RequestParty, clientId: string): Promise<StoredToken | null> {
    try {
      const outcome = await this.reader.read(this.servingRead(party, clientId, true));
      const token = outcome.kind === 'served' ? this.tokenOf(party, clientId, outcome) : null;
      if (token === null) this.deferred.set(raw, { outcome });
      return token;
    } catch (error: unknown) {
      this.deferred.set(raw, { error });
      return null;
    }
  }

  /** A fault of the lane's own after its read: serve() throws it, for the framework to answer and log its one way. */
  deferFailure(raw: IncomingMessage, error: unknown): void {
    this.deferred.set(raw, { error });
  }

  private async readOnce(request: VaultRequest, clientId: string): Promise<ServingOutcome> {
    const deferred = this.deferred.get(request.raw);
    if (deferred === undefined) return this.reader.read(this.servingRead(request, clientId, true));
    this.deferred.delete(request.raw);
    if ('error' in deferred) throw deferred.error;
    return deferred.outcome;
  }

  /**
   * For a read that waits (`?wait=N`): null rather than 404 while there is no token. `counted: false` for the reads
   * after the first: a read that waits is one request, counted against its client's budget once.
   */
  async serveIfStored(request: VaultRequest, clientId: string, counted: boolean): Promise<StoredToken | null> {
    return this.tokenOf(request, clientId, await this.reader.read(this.servingRead(request, clientId, counted)));
  }

  private servingRead(request: RequestParty, clientId: string, counted: boolean): ServingRead {
    return {
      clientId,
      rate: counted && this.limits.enabled ? { tracker: rateTracker(request.caller, request.ip), limitPerMinute: this.limits.perMinute } : null,
      audit: this.trail.caller(request, clientId),
      failClosed: this.audit.failClosed,
    };
  }

  private tokenOf(request: RequestParty, clientId: string, outcome: ServingOutcome): StoredToken | null {
    switch (outcome.kind) {
      case 'limited':
        if (outcome.firstRefusal) this.logger.warn(overLimitWarning(rateTracker(request.caller, request.ip), this.limits.perMinute));
        throw rateLimited(outcome.retryAfterSeconds, `more than ${this.limits.perMinute} requests a minute`);
      case 'missing':
        return null;
      case 'audit_failed':
        this.logger.error(`refused to serve the token of ${clientId}: the audit trail cannot be written`);
        throw auditUnavailable();
      case 'served':
        if (!outcome.audited) this.logger.warn(`served the token of ${clientId} without an audit entry (AUDIT_FAIL_CLOSED=false)`);
        // The store drops a token at its expiry by the same clock; this has the last word in the token's last second.
        if (outcome.token.expiresAt.getTime() <= this.clock.now().getTime()) return null;
        return outcome.token;
    }
  }
}
