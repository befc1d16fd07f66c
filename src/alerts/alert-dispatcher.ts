import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { CoordinationStore } from '../coordination/coordination.store';
import { VaultMetrics } from '../metrics/vault-metrics';
import { RedisKeys } from '../redis/redis-keys';
import { Alert, ALERT_TYPES, AlertType } from './alert';
import { AlertDelivery, DeliveryOutcome } from './alert-delivery';
import { ACCOUNTS_KEPT, AlertDeliveryLog, DeliveryRecord } from './alert-delivery-log';
import { ALERT_CHANNELS } from './alert-channels';
import { windowAlert } from './alert-messages';
import { AlertSettings } from './alert-settings';
import { AlertWindow, batchId } from './alert-window';
import { AlertChannel } from './channels/alert-channel';

/** A settled claim is kept well past the longest span in which a scan could find the same alert due again. */
const SETTLED_KEEP_MS = 48 * 60 * 60_000;
/** Deliveries in flight per channel, so that ten thousand alerts at midnight do not open ten thousand sockets. */
const CONCURRENCY = 4;

/**
 * Sends alerts, each exactly once per channel across every replica: a replica sends an alert to a channel only
 * after it claims `alert:<id>:<channel>` in the shared store, for a lease longer than any delivery takes. The
 * claim is then settled as sent or failed and never taken again. A replica that dies mid-delivery leaves a lease
 * that lapses, and the next scan (of any replica) sends the alert, with the same id; one that stops releases it.
 *
 * Expiring and expired alerts come by window (accounts sharing an expiry and lead): one alert per channel for the
 * accounts of the window not yet announced to it, so ten thousand tokens dying at midnight make one message, not
 * ten thousand. The accounts announced are kept in a set beside the claims, added in the step that settles a claim.
 */
@Injectable()
export class AlertDispatcher {
  private readonly logger = new Logger(AlertDispatcher.name);

  constructor(
    @Inject(ALERT_CHANNELS) private readonly channels: AlertChannel[],
    private readonly coordination: CoordinationStore,
    private readonly delivery: AlertDelivery,
    private readonly deliveries: AlertDeliveryLog,
    private readonly settings: AlertSettings,
    private readonly metrics: VaultMetrics,
    private readonly clock: Clock,
    private readonly keys: RedisKeys,
  ) {
    // Each channel's failures at 0 from the start, so that the first one shows in increase() and raises
    // TokenVaultAlertDeliveriesFailing (deploy/prometheus/rules.yml).
    for (const channel of channels) for (const type of ALERT_TYPES) metrics.alertDeliveries.inc({ channel: channel.name, type, result: 'failed' }, 0);
  }

  /** Resolves when every channel has sent, failed, or found the alert taken; channels never wait for each other. */
  async dispatch(alerts: Alert[]): Promise<void> {
    await Promise.all(this.channels.map((channel) => this.sendAll(channel, alerts)));
  }

  /** Each window's accounts not yet announced to a channel, in one alert per channel; channels never wait for each other. */
  async dispatchWindows(windows: readonly AlertWindow[]): Promise<void> {
    await Promise.all(
      this.channels.map(async (channel) => {
        for (const window of windows) await this.sendWindow(channel, window);
      }),
    );
  }

  /** No alert is claimed from now on, and deliveries under way are handed back (see AlertDelivery.stop). */
  stop(): void {
    this.delivery.stop();
  }

  private get leaseMs(): number {
    return this.delivery.worstCaseMs + 30_000;
  }

  private async sendAll(channel: AlertChannel, alerts: Alert[]): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < alerts.length) {
        const alert = alerts[next++];
        await this.sendOne(channel, alert);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, alerts.length) }, worker));
  }

  private async sendOne(channel: AlertChannel, alert: Alert): Promise<void> {
    const claim = this.keys.alertClaim(alert.id, channel.name);
    try {
      if (this.delivery.stopped || !(await this.coordination.acquire(claim, this.leaseMs))) return;
      await this.deliverClaimed(channel, alert, claim, (outcome) => this.coordination.settle(claim, outcome, SETTLED_KEEP_MS));
    } catch (error) {
      this.deferred(channel, alert.type, alert.id, error);
    }
  }

  /**
   * The claim is on the window's next alert, named by how many of its accounts the channel was told of before:
   * replicas that read the same set race for the same claim, and the one that loses finds the accounts announced
   * at its next scan. An account that joins the window later goes out in a later alert of its own.
   */
  private async sendWindow(channel: AlertChannel, window: AlertWindow): Promise<void> {
    const announced = this.keys.alertAnnounced(window.id, channel.name);
    let id = window.id;
    try {
      if (this.delivery.stopped) return;
      const { absent, size } = await this.coordination.notIn(announced, window.accounts);
      if (absent.length === 0) return;
      id = batchId(window, size);
      const claim = this.keys.alertClaim(id, channel.name);
      if (!(await this.coordination.acquire(claim, this.leaseMs))) return;
      const alert = windowAlert(window, absent, id, this.clock.now(), this.settings);
      await this.deliverClaimed(channel, alert, claim, (outcome) =>
        this.coordination.settleAdding(claim, outcome, announced, absent, SETTLED_KEEP_MS),
      );
    } catch (error) {
      this.deferred(channel, window.type, id, error);
    }
  }

  /** Delivers an alert whose claim this replica holds, and settles the claim, or releases it when the vault stops. */
  private async deliverClaimed(channel: AlertChannel, alert: Alert, claim: string, settle: (outcome: DeliveryOutcome) => Promise<void>): Promise<void> {
    const result = await this.delivery.deliver(channel, alert, this.clock.now());
    const { outcome } = result;
    if (outcome === 'abandoned') {
      await this.coordination.release(claim);
      this.logger.log(`alert ${alert.id} to ${channel.name} handed back: this replica is stopping`);
      return;
    }
    await settle(outcome);
    this.metrics.alertDeliveries.inc({ channel: channel.name, type: alert.type, result: outcome });
    if (outcome === 'sent') this.logger.log(`alert ${alert.id} sent to ${channel.name}`);
    await this.remember(channel, alert, outcome, result.outcome === 'failed' ? result.reason : undefined);
  }

  /** The store is away: the claim (if taken) lapses and a later scan tries again. */
  private deferred(channel: AlertChannel, type: AlertType, id: string, error: unknown): void {
    this.metrics.alertDeliveries.inc({ channel: channel.name, type, result: 'deferred' });
    this.logger.warn(`alert ${id} to ${channel.name} deferred: ${(error as { code?: string }).code ?? 'store error'}`);
  }

  /** The claim is settled, so the alert is never sent again: a log the store cannot take now only misses a line. */
  private async remember(channel: AlertChannel, alert: Alert, result: DeliveryOutcome, reason?: string): Promise<void> {
    const delivery: DeliveryRecord = {
      at: this.clock.now(),
      channel: channel.name,
      type: alert.type,
      result,
      ...(reason === undefined ? {} : { reason }),
      accounts: alert.accounts.slice(0, ACCOUNTS_KEPT),
      accountCount: alert.accounts.length,
    };
    await this.deliveries.record(delivery).catch(() => this.logger.warn(`alert ${alert.id} to ${channel.name}: not kept in the delivery log`));
  }
}
