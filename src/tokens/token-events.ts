import { Injectable, Logger } from '@nestjs/common';
import { StoredToken } from './stored-token';

/** What led the vault to ask the broker: a consumer's report-invalid, a verify, or the daily pre-open check. */
export type VerificationTrigger = 'report' | 'verify' | 'preopen';

/** Why the broker's answer ended the token: it refused it, or it named another account as the token's. */
export type InvalidationCause = 'refused' | 'wrong_account';

/** The broker found the token dead, or another account's, and the vault removed it. */
export interface TokenInvalidated {
  clientId: string;
  /** The service client that reported or verified the token. */
  reportedBy: string;
  trigger: VerificationTrigger;
  cause: InvalidationCause;
  at: Date;
  /** When the removed token would have expired. */
  expiresAt: Date;
}

/** An admin deleted an account's token. */
export interface TokenDeleted {
  clientId: string;
  at: Date;
  /** When the deleted token would have expired; null when it could not be read before it went. */
  expiresAt: Date | null;
}

/** The alert ladder found an `expiring` alert due (ALERT_BEFORE_EXPIRY): every replica that scans says so. */
export interface TokenExpiring {
  clientId: string;
  expiresAt: Date;
  /** The alert's id, the same on every replica: what is announced once per id. */
  alertId: string;
}

type Listener<T> = (event: T) => Promise<void> | void;

/**
 * What happened to tokens, for modules that react (alerts, the token feed) without the token code knowing them. A
 * listener's failure is logged and never reaches the request that stored or removed the token.
 */
@Injectable()
export class TokenEvents {
  private readonly logger = new Logger(TokenEvents.name);
  private readonly storedListeners: Listener<StoredToken>[] = [];
  private readonly invalidatedListeners: Listener<TokenInvalidated>[] = [];
  private readonly deletedListeners: Listener<TokenDeleted>[] = [];
  private readonly expiringListeners: Listener<TokenExpiring>[] = [];

  onStored(listener: Listener<StoredToken>): void {
    this.storedListeners.push(listener);
  }

  onInvalidated(listener: Listener<TokenInvalidated>): void {
    this.invalidatedListeners.push(listener);
  }

  onDeleted(listener: Listener<TokenDeleted>): void {
    this.deletedListeners.push(listener);
  }

  onExpiring(listener: Listener<TokenExpiring>): void {
    this.expiringListeners.push(listener);
  }

  stored(token: StoredToken): void {
    this.emit('stored', this.storedListeners, token);
  }

  invalidated(event: TokenInvalidated): void {
    this.emit('invalidated', this.invalidatedListeners, event);
  }

  deleted(event: TokenDeleted): void {
    this.emit('deleted', this.deletedListeners, event);
  }

  expiring(event: TokenExpiring): void {
    this.emit('expiring', this.expiringListeners, event);
  }

  private emit<T>(name: string, listeners: Listener<T>[], event: T): void {
    for (const listener of listeners) {
      Promise.resolve()
        .then(() => listener(event))
        .catch((error: { name?: string; code?: string }) =>
          this.logger.error(`a listener of ${name} failed (${error?.code ?? error?.name ?? 'error'})`),
        );
    }
  }
}
