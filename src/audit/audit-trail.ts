import { Injectable, Logger, Optional } from '@nestjs/common';
import { callerName, RequestParty, VaultRequest } from '../access/vault-request';
import { RefusalRecorder } from '../http/refusal-recorder';
import type { ErrorCode } from '../errors/error-catalogue';
import { VaultError } from '../errors/vault-error';
import { Accounts } from '../brokers/accounts';
import { BrokersSettings } from '../brokers/brokers.config';
import { AuditAction, AuditEvent, AuditLog } from './audit-log';
import type { AuditDetails } from './audited';
import { auditedAction } from './audited-route';

/** Who was turned away is part of the audit trail on any route: unauthenticated, forbidden, rate-limited. */
const REFUSALS = new Set([401, 403, 429]);

/**
 * Writes the audit trail, from two places only: the AuditInterceptor for what an audited route did, and the
 * exception filter for what any route refused or failed to do. A request reaches one or the other, never both, so
 * each is recorded once.
 */
@Injectable()
export class AuditTrail implements RefusalRecorder {
  private readonly logger = new Logger(AuditTrail.name);

  private readonly accounts: Accounts;

  constructor(
    private readonly log: AuditLog,
    @Optional() brokers?: BrokersSettings,
  ) {
    this.accounts = brokers?.accounts ?? new Accounts('pocketful');
  }

  /**
   * What an audited route did, once it is done: a failed write is logged, and the answer stands. A token read is not
   * recorded here but by the read itself (`@AuditedByTheStore`), which fails closed.
   */
  async recordSuccess(request: VaultRequest, action: AuditAction, details: AuditDetails): Promise<void> {
    const { account, fingerprint = null, result = 'ok' } = details;
    try {
      await this.log.append(this.event(request, action, result, account, fingerprint));
    } catch {
      this.logger.error(`could not write the audit entry for ${action} ${result}${account ? ` of ${account}` : ''}`);
    }
  }

  /**
   * What a request was refused, or failed with: on an audited route under its action, elsewhere only refusals. Kept
   * apart from what was done, all of it: without a key anyone can be refused, and where ADMIN_AUTH is open anyone
   * can fail a login callback, so a flood of either must not trim reads and stores out of the trail. Not awaited by
   * the filter: the answer does not wait on the trail, and a failure to write is logged.
   */
  recordFailure(request: VaultRequest, status: number, code: ErrorCode): void {
    const refused = REFUSALS.has(status);
    const action = refused ? 'refused' : auditedAction(request);
    if (action === null) return;
    this.log.appendRefusal(this.event(request, action, code, accountOf(request, this.accounts), null)).catch((error: unknown) => {
      // A store that does not answer is logged by its connection, once per interval, not once per refusal.
      if (error instanceof VaultError && error.code === 'store_unavailable') return;
      this.logger.error(`could not write the audit entry for ${action} ${code}`);
    });
  }

  /** Who made a request, as its entry names them: for a token read, which the store records in the same step. */
  caller(request: RequestParty, account: string | null): Pick<AuditEvent, 'client' | 'account' | 'requestId' | 'remote'> {
    return {
      client: callerName(request.caller),
      account,
      requestId: typeof request.id === 'string' ? request.id : null,
      remote: request.ip ?? null,
    };
  }

  private event(request: VaultRequest, action: AuditAction, result: string, account: string | null, fingerprint: string | null): AuditEvent {
    return { action, result, ...this.caller(request, account), fingerprint };
  }
}

/**
 * The account a refused request named in its path, if it named a valid one (the pipe that checks it may not have
 * run): `:clientId`, or a broker's route's `:broker/:id` (`/v1/tokens/zerodha/AB1234`).
 */
function accountOf(request: VaultRequest, accounts: Accounts): string | null {
  const params = request.params as { clientId?: unknown; broker?: unknown; id?: unknown } | undefined;
  if (typeof params?.clientId === 'string') return accounts.parse(params.clientId);
  return accounts.fromPath(params?.broker, params?.id);
}
