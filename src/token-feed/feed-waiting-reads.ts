import { Injectable } from '@nestjs/common';
import { serviceClientOf, VaultRequest } from '../access/vault-request';
import { shuttingDown, tokenNotFound } from '../errors/vault-error';
import { StoredToken } from '../tokens/stored-token';
import { TokenServing } from '../tokens/read/token-serving';
import { WaitingReads } from '../tokens/read/waiting-reads';
import { EventFanOut } from './event-fan-out';
import { HeldRequests } from './held-requests';
import { Wakeup } from './wakeup';

/**
 * `GET /v1/tokens/:clientId?wait=N`. The first read is an ordinary one (counted, and audited if it serves); without
 * a token, the request is held with no work at all until the feed says a token was stored for the account, on any
 * replica, and is then read again, not counted again (it is one request). When N runs out it is read a last time,
 * in case a store's event was lost on the way, and answers 404 if there is still none.
 */
@Injectable()
export class FeedWaitingReads extends WaitingReads {
  constructor(
    private readonly serving: TokenServing,
    private readonly fanOut: EventFanOut,
    private readonly held: HeldRequests,
  ) {
    super();
  }

  async serve(request: VaultRequest, clientId: string, seconds: number): Promise<StoredToken | null> {
    const wakeup = new Wakeup();
    const release = this.held.admit(serviceClientOf(request).name, 'wait', () => wakeup.end('closing'));
    // Listening before the first read: a token stored between that read and the wait is not missed.
    const unwatch = this.fanOut.onStored(clientId, () => wakeup.storedNow());
    const { signal } = request;
    const gone = () => wakeup.end('gone');
    signal.addEventListener('abort', gone);
    if (signal.aborted) gone();
    const deadline = setTimeout(() => wakeup.end('timeout'), seconds * 1000);
    try {
      const first = await this.serving.serveIfStored(request, clientId, true);
      if (first !== null) return first;
      if (seconds === 0) throw tokenNotFound(clientId);
      for (;;) {
        const reason = await wakeup.next();
        if (reason === 'gone') return null;
        if (reason === 'closing') throw shuttingDown();
        const token = await this.serving.serveIfStored(request, clientId, false);
        if (token !== null) return token;
        if (reason === 'timeout') throw tokenNotFound(clientId);
      }
    } finally {
      clearTimeout(deadline);
      signal.removeEventListener('abort', gone);
      unwatch();
      release();
    }
  }
}
