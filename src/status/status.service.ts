import { Inject, Injectable } from '@nestjs/common';
import { ALERT_CHANNELS } from '../alerts/alert-channels';
import { AlertDeliveryLog, DeliveryRecord } from '../alerts/alert-delivery-log';
import { AlertSettings } from '../alerts/alert-settings';
import { AlertChannel } from '../alerts/channels/alert-channel';
import { PreopenLog, PreopenResult } from '../alerts/preopen-log';
import { Clock } from '../clock/clock';
import { VaultError } from '../errors/vault-error';
import { ClientsFileHealth, ClientsFileWatcher } from '../access/clients-file.watcher';
import { KeyringHealthIndicator } from '../health/keyring.health';
import { StoreHealthIndicator } from '../health/store.health';
import { TokenSettings } from '../tokens/tokens.config';
import { AccountStatus, TokensService } from '../tokens/tokens.service';
import { AccountLine, accountLine, AccountLogin } from './account-line';
import { ReplicaHeartbeat } from './replica-heartbeat';
import { REPLICA_SEEN_WITHIN_MS, ReplicaRegistry } from './replica-registry';
import { KeysHealth, keysHealthOf, ReplicasHealth, StoreHealth, storeHealthOf } from './vault-health';
import { VAULT_VERSION } from './vault-version';

/** The page shows this many of the last deliveries. */
export const RECENT_ALERTS = 10;
/** Without any alert lead time, a token counts as expiring in its last hour. */
const DEFAULT_SOON_MS = 60 * 60_000;

/** Everything an operator checks in the morning, at one instant of the vault's clock. Never a token. */
export interface VaultStatus {
  at: Date;
  version: string;
  /** A live token with no more than this left is `expiring`: the first step of ALERT_BEFORE_EXPIRY. */
  expiringWithinMs: number;
  /** Null while the store does not answer. */
  accounts: AccountLine[] | null;
  alerts: { channels: string[]; recent: DeliveryRecord[] | null };
  /** The last pre-open check (PREOPEN_CHECK_AT); null when none was made in two days, or the store does not answer. */
  preopen: PreopenResult | null;
  /** `clientsFile`: null when the vault has no clients file (VAULT_CLIENTS_FILE unset). */
  health: { store: StoreHealth; keys: KeysHealth; replicas: ReplicasHealth; clientsFile: ClientsFileHealth | null };
}

/**
 * Assembles the status that the page at `/` and `GET /v1/status` (and so `npm run status`) show. Each part is read
 * on its own: a store that does not answer leaves the accounts unknown, and the health saying why, rather than no
 * page at all.
 */
@Injectable()
export class StatusService {
  constructor(
    private readonly tokens: TokensService,
    private readonly tokenSettings: TokenSettings,
    private readonly alertSettings: AlertSettings,
    @Inject(ALERT_CHANNELS) private readonly channels: AlertChannel[],
    private readonly deliveries: AlertDeliveryLog,
    private readonly preopen: PreopenLog,
    private readonly storeHealth: StoreHealthIndicator,
    private readonly keysHealth: KeyringHealthIndicator,
    private readonly clientsFile: ClientsFileWatcher,
    private readonly replicas: ReplicaRegistry,
    private readonly heartbeat: ReplicaHeartbeat,
    private readonly clock: Clock,
  ) {}

  get expiringWithinMs(): number {
    return this.alertSettings.leadsMs.length > 0 ? Math.max(...this.alertSettings.leadsMs) : DEFAULT_SOON_MS;
  }

  async report(): Promise<VaultStatus> {
    const now = this.clock.now();
    const [accounts, recent, preopen, store, keys, seen] = await Promise.all([
      unlessStoreFails(this.tokens.accounts()),
      unlessStoreFails(this.deliveries.latest(RECENT_ALERTS)),
      unlessStoreFails(this.preopen.last()),
      this.storeHealth.check('store'),
      this.keysHealth.check('keys'),
      this.seenReplicas(now),
    ]);
    return {
      at: now,
      version: VAULT_VERSION,
      expiringWithinMs: this.expiringWithinMs,
      accounts: accounts && this.lines(accounts, now),
      alerts: { channels: this.channels.map((channel) => channel.name), recent },
      preopen,
      health: {
        store: storeHealthOf(store, 'store'),
        keys: keysHealthOf(keys, 'keys'),
        replicas: { seen, withinMs: REPLICA_SEEN_WITHIN_MS },
        clientsFile: this.clientsFile.health(),
      },
    };
  }

  /** The replica answering is running whatever its last heartbeat says: it beats again before it counts. */
  private async seenReplicas(now: Date): Promise<string[] | null> {
    await this.heartbeat.beat();
    return unlessStoreFails(this.replicas.seenSince(new Date(now.getTime() - REPLICA_SEEN_WITHIN_MS)));
  }

  /** Every account stored or expected, by id; those expected and never stored are missing. */
  private lines(statuses: AccountStatus[], now: Date): AccountLine[] {
    const expected = this.alertSettings.expectedAccounts ?? this.tokenSettings.allowedClientIds;
    const known = new Map(statuses.map((status) => [status.clientId, status]));
    for (const clientId of expected ?? []) {
      if (!known.has(clientId)) known.set(clientId, { clientId, state: 'missing', issuedAt: null, expiresAt: null, source: null });
    }
    return [...known.values()]
      .sort((a, b) => (a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : 0))
      .map((status) => accountLine(status, now, this.expiringWithinMs, expected === null || expected.includes(status.clientId), this.loginOf(status.clientId)));
  }

  /** As the alerts link it: under PUBLIC_URL, where people reach the vault, which a proxy may serve apart from the URL asked. */
  private loginOf(clientId: string): AccountLogin {
    return { broker: this.alertSettings.accounts.brokerOf(clientId), loginUrl: this.alertSettings.loginUrlOf(clientId) };
  }
}

/** The store's own failures (already logged by code, with no detail) leave a part unknown; anything else is a bug. */
function unlessStoreFails<T>(read: Promise<T>): Promise<T | null> {
  return read.catch((error: unknown) => {
    if (error instanceof VaultError) return null;
    throw error;
  });
}
