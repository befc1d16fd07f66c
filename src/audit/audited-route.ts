import type { VaultRequest } from '../access/vault-request';
import { AuditAction } from './audit-log';

/** The key, in a route's Fastify configuration, of the action the audit trail records its requests under. */
export const AUDIT_ACTION = 'auditAction';

/** The action of the route a request reached, or null when the route is not audited (or none was reached). */
export function auditedAction(request: VaultRequest): AuditAction | null {
  const config = request.routeOptions?.config as unknown as Record<string, unknown> | undefined;
  return (config?.[AUDIT_ACTION] as AuditAction | undefined) ?? null;
}
