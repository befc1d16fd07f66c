import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { CoordinationStore } from '../coordination/coordination.store';
import { VaultMetrics } from '../metrics/vault-metrics';
import { RedisKeys } from '../redis/redis-keys';
import { Alert } from './alert';
import { AlertDelivery } from './alert-delivery';
import { ALERT_CHANNELS } from './alert-channels';
import { AlertChannel } from './channels/alert-channel';

/** A settled claim is kept well past the longest span in which a scan could find the same alert due again. */
const SETTLED_KEEP_MS = 48 * 60 * 60_000;
/** Deliveries in flight per channel, so that ten thousand alerts at midnight do not open ten thousand sockets. */
const CONCURRENCY = 4;

/**
 * Sends alerts, each exactly once per channel across every replica: a replica sends an alert to a channel only
 * after it claims `alert:<id>:<channel>` in the shared store, for a lease longer than any delivery takes. The
 * claim is then settled as sent or failed and never taken again. A replica that dies mid-delivery leaves a lease
 * that lapses, and the next scan (of any replica) sends the alert, with the same id.
 */
@Injectable()
export class AlertDispatcher {
  private readonly logger = new Logger(AlertDispatcher.name);

  constructor(
    @Inject(ALERT_CHANNELS) private readonly channels: AlertChannel[],
    private readonly coordination: CoordinationStore,
    private readonly delivery: AlertDelivery,
    private readonly metrics: VaultMetrics,
    private readonly clock: Clock,
    private readonly keys: RedisKeys,
  ) {}

  /** Resolves when every channel has sent, failed, or found the alert taken; channels never wait for each other. */
  async dispatch(alerts: Alert[]): Promise<void> {
    await Promise.all(this.channels.map((channel) => this.sendAll(channel, alerts)));
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
      if (!(await this.coordination.acquire(claim, this.delivery.worstCaseMs + 30_000))) return;
      const outcome = await this.delivery.deliver(channel, alert, this.clock.now());
      await this.coordination.settle(claim, outcome, SETTLED_KEEP_MS);
      this.metrics.alertDeliveries.inc({ channel: channel.name, type: alert.type, result: outcome });
      if (outcome === 'sent') this.logger.log(`alert ${alert.id} sent to ${channel.name}`);
    } catch (error) {
      // The store is away: the claim (if taken) lapses and a later scan tries again.
      this.metrics.alertDeliveries.inc({ channel: channel.name, type: alert.type, result: 'deferred' });
      this.logger.warn(`alert ${alert.id} to ${channel.name} deferred: ${(error as { code?: string }).code ?? 'store error'}`);
    }
  }
}
