import { applyDecorators, CallHandler, ExecutionContext, Injectable, NestInterceptor, UseInterceptors } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { from, mergeMap, Observable } from 'rxjs';
import type { VaultRequest } from '../access/vault-request';
import { AuditAction } from './audit-log';
import { AuditTrail } from './audit-trail';
import { AUDIT_ACTION, auditedAction } from './audited-route';

/** What a handler of an audited route tells the trail about what it did. */
export interface AuditDetails {
  account: string | null;
  /** The fingerprint of the token concerned (never the token). */
  fingerprint?: string;
  /** `ok` unless said otherwise (a report's verdict). */
  result?: string;
}

/** A handler's answer with what the trail records of it; the caller receives `body` only. */
export class AuditedResult<T> {
  constructor(
    readonly body: T,
    readonly details: AuditDetails,
  ) {}
}

export const audited = <T>(body: T, details: AuditDetails): AuditedResult<T> => new AuditedResult(body, details);

/**
 * Marks a route whose every outcome goes into the audit trail under `action`: a success by the interceptor below,
 * once the handler has answered; a failure, wherever it was raised, by the exception filter's one hook. The action
 * sits in the route's own configuration, where both find it. Not for the token read: its success is recorded before
 * the token leaves, by the reader (AuditedByTheStore).
 */
export function Audited(action: Exclude<AuditAction, 'read'>) {
  return applyDecorators(RouteConfig({ [AUDIT_ACTION]: action }), UseInterceptors(AuditInterceptor));
}

/**
 * For the token read, whose success the TokenReader records in the same step as the read itself: the route is
 * audited (its failures go through the filter's hook), and no interceptor runs on the hot path.
 */
export function AuditedByTheStore(action: Extract<AuditAction, 'read'>) {
  return RouteConfig({ [AUDIT_ACTION]: action });
}

@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(private readonly trail: AuditTrail) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<VaultRequest>();
    const action = auditedAction(request);
    return next.handle().pipe(
      mergeMap((answer: unknown) => {
        if (action === null || !(answer instanceof AuditedResult)) {
          throw new Error(`an audited route must answer with audited(): ${request.routeOptions?.url ?? request.url}`);
        }
        return from(this.trail.recordSuccess(request, action, answer.details).then(() => answer.body));
      }),
    );
  }
}
