import { Injectable, Logger, Optional } from '@nestjs/common';
import { Accounts } from '../brokers/accounts';
import { BrokerAdapter, BrokerGrant } from '../brokers/broker-adapter';
import { BrokersSettings } from '../brokers/brokers.config';
import { Clock } from '../clock/clock';
import { ErrorCode } from '../errors/error-catalogue';
import { accountNotAllowed, tokenNotFound, vaultError } from '../errors/vault-error';
import { TokenFingerprint } from '../crypto/token-fingerprint';
import { AccountRecord, StoredToken, TokenSource } from './stored-token';
import { TokenEvents } from './token-events';
import { TokenStore } from './token.store';
import { TokenSettings } from './tokens.config';

export type AccountState = 'live' | 'expired' | 'missing';

export interface AccountStatus {
  clientId: string;
  state: AccountState;
  issuedAt: Date | null;
  expiresAt: Date | null;
  source: TokenSource | null;
}

/** What `register` can fail with, for the routes that store a token (an import, a login) to document. */
export const REGISTER_ERRORS = [
  'account_not_allowed',
  'token_rejected',
  'token_expired',
  'broker_rejected',
  'broker_unavailable',
  'broker_malformed_response',
  'broker_timeout',
  'store_unavailable',
] as const satisfies readonly ErrorCode[];

/** The rules around the store: whose token it is, who may store one, and when it dies. */
@Injectable()
export class TokensService {
  private readonly logger = new Logger(TokensService.name);

  constructor(
    private readonly store: TokenStore,
    private readonly clock: Clock,
    private readonly settings: TokenSettings,
    private readonly events: TokenEvents,
    private readonly fingerprint: TokenFingerprint,
    @Optional() brokers?: BrokersSettings,
  ) {
    this.accountIds = brokers?.accounts ?? new Accounts('pocketful');
  }

  private readonly accountIds: Accounts;

  /**
   * A token from any broker's login: its whoami names the account (written `broker:id`, bare for the default
   * broker's), and it dies at the earliest of its broker's cut-off and what the grant says of its life.
   */
  async registerFrom(broker: BrokerAdapter, grant: BrokerGrant, source: TokenSource, issuedAt: Date): Promise<StoredToken> {
    const { account } = await broker.whoami(grant.accessToken);
    const clientId = this.accountIds.of(broker.id, account);
    if (clientId === null) throw vaultError('broker_malformed_response', `${broker.displayName} named an account id the vault cannot use`);
    return this.keep(clientId, grant, source, issuedAt, broker.expiresAt(grant, issuedAt));
  }

  /** Stores a token whose account is known, unless ALLOWED_CLIENT_IDS leaves it out or it is already dead. */
  private async keep(
    clientId: string,
    grant: Pick<BrokerGrant, 'accessToken' | 'tokenType' | 'scope'>,
    source: TokenSource,
    issuedAt: Date,
    expiresAt: Date,
  ): Promise<StoredToken> {
    const allowed = this.settings.allowedClientIds;
    if (allowed && !allowed.includes(clientId)) throw accountNotAllowed(clientId);
    if (expiresAt.getTime() <= this.clock.now().getTime()) {
      throw vaultError('token_expired', `the token for ${clientId} has already expired; nothing was stored`);
    }
    const token: StoredToken = {
      clientId,
      accessToken: grant.accessToken,
      tokenType: grant.tokenType,
      scope: grant.scope,
      issuedAt,
      expiresAt,
      source,
      fingerprint: this.fingerprint.of(grant.accessToken),
    };
    await this.store.save(token);
    this.events.stored(token);
    this.logger.log(`stored a token for ${clientId} from ${source}, expiring at ${expiresAt.toISOString()}`);
    return token;
  }

  async remove(clientId: string): Promise<void> {
    // Only for the expiry its token.removed event carries: a token that cannot be opened is still deleted.
    const going = await this.store.find(clientId).catch(() => null);
    if (!(await this.store.remove(clientId))) throw tokenNotFound(clientId, this.accountIds.loginPathOf(clientId));
    this.events.deleted({ clientId, at: this.clock.now(), expiresAt: going?.expiresAt ?? null });
    this.logger.log(`removed the token of ${clientId}`);
  }

  /** Every account the vault knows: those that stored a token, and those ALLOWED_CLIENT_IDS expects. */
  async accounts(): Promise<AccountStatus[]> {
    const now = this.clock.now().getTime();
    const records = new Map((await this.store.accounts()).map((record) => [record.clientId, record]));
    const ids = new Set([...records.keys(), ...(this.settings.allowedClientIds ?? [])]);
    return [...ids].sort().map((clientId) => statusOf(clientId, records.get(clientId), now));
  }
}

function statusOf(clientId: string, record: AccountRecord | undefined, now: number): AccountStatus {
  if (!record) return { clientId, state: 'missing', issuedAt: null, expiresAt: null, source: null };
  const live = record.present && record.expiresAt.getTime() > now;
  const state: AccountState = live ? 'live' : record.expiresAt.getTime() <= now ? 'expired' : 'missing';
  return { clientId, state, issuedAt: record.issuedAt, expiresAt: record.expiresAt, source: record.source };
}
