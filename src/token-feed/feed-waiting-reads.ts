import { Injectable } from '@nestjs/common';
import { mayRead } from '../access/service-client';
import { ServiceClientRegistry } from '../access/service-client.registry';
import { bearerKey } from '../access/service-key.guard';
import { serviceClientOf, VaultRequest } from '../access/vault-request';
import { forbidden, shuttingDown, vaultError } from '../errors/vault-error';
import { StoredToken } from '../tokens/stored-token';
import { TokenServing, WaitingRead } from '../tokens/read/token-serving';
import { WaitingReads } from '../tokens/read/waiting-reads';
import { EventFanOut } from './event-fan-out';
import { HeldRequestMetrics } from './held-request-metrics';
import { HeldRequests } from './held-requests';
import { Wakeup } from './wakeup';

/**
 * `GET /v1/tokens/:clientId?wait=N`. The first read is an ordinary one (counted, and audited if it serves); without
 * a token, the request is held with no work at all until the feed says a token was stored for the account, on any
 * replica, and is then read again, not counted again (it is one request), together with every other read the store
 * woke for the account on this replica: one read of the token for all of them, an audit entry for each. When N runs
 * out it is read a last time, in case a store's event was lost on the way, and answers 404 if there is still none.
 *
 * The key is not taken as it was when the request came: every read, and every change of the service clients while
 * the request is held, asks the registry who holds the key now. A key removed meanwhile ends the request with 401, a
 * key no longer allowed the account with 403, both at once and through the exception filter like any refusal; a
 * read that serves is audited under the client that holds the key at that moment.
 */
@Injectable()
export class FeedWaitingReads extends WaitingReads {
  constructor(
    private readonly serving: TokenServing,
    private readonly fanOut: EventFanOut,
    private readonly held: HeldRequests,
    private readonly registry: ServiceClientRegistry,
    private readonly metrics: HeldRequestMetrics,
  ) {
    super();
  }

  async serve(request: VaultRequest, clientId: string, seconds: number): Promise<StoredToken | null> {
    // ServiceKeyGuard let this key in, so it is there.
    const key = bearerKey(request.headers.authorization) ?? '';
    this.metrics.heldReadBegins(request);
    const wakeup = new Wakeup();
    const release = this.held.admit(serviceClientOf(request).name, 'wait', () => wakeup.end('closing'));
    // Listening before the first read: a token stored (or a key revoked) between that read and the wait is not missed.
    const unwatch = this.fanOut.onStored(clientId, () => wakeup.storedNow());
    const unwatchClients = this.registry.onReplace(() => wakeup.clientsChanged());
    const { signal } = request;
    const gone = () => wakeup.end('gone');
    signal.addEventListener('abort', gone);
    if (signal.aborted) gone();
    const deadline = setTimeout(() => wakeup.end('timeout'), seconds * 1000);
    try {
      const first = await this.read(request, key, clientId, 'first');
      if (first !== null) return first;
      if (seconds === 0) throw this.serving.notFound(clientId);
      for (;;) {
        const reason = await wakeup.next();
        if (reason === 'gone') return null;
        if (reason === 'closing') throw shuttingDown();
        if (reason === 'clients') {
          this.readmit(request, key, clientId);
          continue;
        }
        const token = await this.read(request, key, clientId, reason === 'timeout' ? 'last' : 'woken');
        if (token !== null) return token;
        if (reason === 'timeout') throw this.serving.notFound(clientId);
      }
    } finally {
      clearTimeout(deadline);
      signal.removeEventListener('abort', gone);
      unwatchClients();
      unwatch();
      release();
    }
  }

  private read(request: VaultRequest, key: string, clientId: string, read: WaitingRead): Promise<StoredToken | null> {
    this.readmit(request, key, clientId);
    return this.serving.serveIfStored(request, clientId, read);
  }

  /**
   * The request's caller made the client that holds its key now, whom a read is counted and audited under; 401 once
   * no client holds it (and the caller is nobody, as for any key that matches none), 503 once the clients file has
   * been unusable past its grace, 403 once it may not read the account. `mayRead` decides, as it did when the request came.
   */
  private readmit(request: VaultRequest, key: string, clientId: string): void {
    request.caller = undefined;
    const client = this.registry.holderOf(key);
    if (client === null) throw vaultError('unauthorized', 'the service key was revoked while the read waited; a valid service key is required: Authorization: Bearer <key>');
    request.caller = { kind: 'service', client };
    if (!mayRead(client, clientId)) throw forbidden(`client ${client.name} may no longer read the token of ${clientId}`);
  }
}
