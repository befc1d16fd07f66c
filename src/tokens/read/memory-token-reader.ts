import { Injectable } from '@nestjs/common';
import { AuditLog } from '../../audit/audit-log';
import { Clock } from '../../clock/clock';
import { RateLimiter } from '../../rate-limit/rate-limiter';
import { TokenStore } from '../token.store';
import { ServingOutcome, ServingRead, TokenReader } from './token-reader';

/** The read for the memory store: the rate limiter, the store and the audit log one after another, each a step in memory. */
@Injectable()
export class MemoryTokenReader extends TokenReader {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly store: TokenStore,
    private readonly log: AuditLog,
    private readonly clock: Clock,
  ) {
    super();
  }

  async read({ clientId, rate, audit, failClosed }: ServingRead): Promise<ServingOutcome> {
    if (rate) {
      const decision = await this.limiter.consume(rate.tracker, rate.limitPerMinute);
      if (!decision.allowed) return { kind: 'limited', retryAfterSeconds: decision.retryAfterSeconds, firstRefusal: decision.firstRefusal };
    }
    const token = await this.store.find(clientId);
    if (!token || token.expiresAt.getTime() <= this.clock.now().getTime()) return { kind: 'missing' };
    try {
      await this.log.append({ ...audit, action: 'read', result: 'ok', fingerprint: token.fingerprint || null });
      return { kind: 'served', token, audited: true };
    } catch {
      return failClosed ? { kind: 'audit_failed' } : { kind: 'served', token, audited: false };
    }
  }
}
