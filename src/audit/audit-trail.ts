import { Injectable, Logger } from '@nestjs/common';
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { ServiceClient } from '../access/service-client';
import { VaultConfig } from '../config/vault-config';
import { VaultError } from '../errors/vault-error';
import { isBrowserRoute } from '../errors/browser-routes';
import { AuditAction, AuditEvent, AuditLog } from './audit-log';

export const auditUnavailable = () =>
  new VaultError('audit_unavailable', 'the audit trail cannot be written, so no token is served; try again shortly', 503);

/** `audited`: this request's outcome is in the trail already, so a refusal of it is not recorded twice. */
type AuditedRequest = FastifyRequest & { serviceClient?: ServiceClient; operator?: string; audited?: boolean };

/**
 * Writes the audit trail. A token is named by a fingerprint: an HMAC under a key derived from the sealing key,
 * so that equal tokens match across replicas while the fingerprint alone (unlike a plain hash) cannot be
 * checked against a guessed or leaked token by someone without the key.
 */
@Injectable()
export class AuditTrail {
  private readonly logger = new Logger(AuditTrail.name);
  private readonly fingerprintKey: Buffer;

  constructor(
    private readonly log: AuditLog,
    private readonly config: VaultConfig,
  ) {
    const sealing = config.store.encryptionKeys[0]?.key;
    this.fingerprintKey = sealing
      ? Buffer.from(hkdfSync('sha256', sealing, Buffer.alloc(0), 'token-vault audit fingerprint', 32))
      : randomBytes(32);
  }

  fingerprint(accessToken: string): string {
    return createHmac('sha256', this.fingerprintKey).update(accessToken).digest('base64url').slice(0, 16);
  }

  /**
   * Records a token read before the token leaves. With AUDIT_FAIL_CLOSED (the default) an entry that cannot be
   * written fails the read: an unrecorded read of a live broker token is worse than a refused one.
   */
  async beforeServing(request: AuditedRequest, account: string, accessToken: string): Promise<void> {
    try {
      await this.log.append(this.event(request, 'read', 'ok', account, this.fingerprint(accessToken)));
    } catch {
      if (this.config.audit.failClosed) {
        this.logger.error(`refused to serve the token of ${account}: the audit trail cannot be written`);
        throw auditUnavailable();
      }
      this.logger.warn(`served the token of ${account} without an audit entry (AUDIT_FAIL_CLOSED=false)`);
    }
  }

  /** Records what was done (or refused). A failure is logged: what it records has already happened. */
  async record(request: AuditedRequest, action: AuditAction, result: string, account: string | null, accessToken?: string): Promise<void> {
    if (action === 'refused' && request.audited) return;
    request.audited = true;
    try {
      await this.log.append(this.event(request, action, result, account, accessToken ? this.fingerprint(accessToken) : null));
    } catch {
      this.logger.error(`could not write the audit entry for ${action} ${result}${account ? ` of ${account}` : ''}`);
    }
  }

  private event(request: AuditedRequest, action: AuditAction, result: string, account: string | null, fingerprint: string | null): AuditEvent {
    return {
      action,
      result,
      client: request.serviceClient?.name ?? (isBrowserRoute(request.url) ? (request.operator ? `browser:${request.operator}` : 'browser') : null),
      account,
      requestId: typeof request.id === 'string' ? request.id : null,
      remote: request.ip ?? null,
      fingerprint,
    };
  }
}
