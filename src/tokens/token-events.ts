import { Injectable, Logger } from '@nestjs/common';
import { StoredToken } from './stored-token';

export interface TokenInvalidated {
  clientId: string;
  /** The service client that reported the token. */
  reportedBy: string;
  at: Date;
}

type Listener<T> = (event: T) => Promise<void> | void;

/**
 * What happened to tokens, for modules that react (alerts) without the token code knowing them. A listener's
 * failure is logged and never reaches the request that stored or removed the token.
 */
@Injectable()
export class TokenEvents {
  private readonly logger = new Logger(TokenEvents.name);
  private readonly storedListeners: Listener<StoredToken>[] = [];
  private readonly invalidatedListeners: Listener<TokenInvalidated>[] = [];

  onStored(listener: Listener<StoredToken>): void {
    this.storedListeners.push(listener);
  }

  onInvalidated(listener: Listener<TokenInvalidated>): void {
    this.invalidatedListeners.push(listener);
  }

  stored(token: StoredToken): void {
    this.emit('stored', this.storedListeners, token);
  }

  invalidated(event: TokenInvalidated): void {
    this.emit('invalidated', this.invalidatedListeners, event);
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
