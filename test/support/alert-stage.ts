import type { Provider } from '@nestjs/common';
import { ALERT_CHANNELS } from '../../src/alerts/alert-channels';
import { AlertDelivery } from '../../src/alerts/alert-delivery';
import { AlertDeliveryLog } from '../../src/alerts/alert-delivery-log';
import { AlertDispatcher } from '../../src/alerts/alert-dispatcher';
import { AlertSettings } from '../../src/alerts/alert-settings';
import { alertsConfig } from '../../src/alerts/alerts.config';
import { AlertChannel } from '../../src/alerts/channels/alert-channel';
import { MemoryAlertDeliveryLog } from '../../src/alerts/memory-alert-delivery.log';
import { brokersConfig } from '../../src/brokers/brokers.config';
import { Clock } from '../../src/clock/clock';
import { loadConfiguration } from '../../src/config/load-configuration';
import { CoordinationStore } from '../../src/coordination/coordination.store';
import { MemoryCoordinationStore } from '../../src/coordination/memory-coordination.store';
import { VaultMetrics } from '../../src/metrics/vault-metrics';
import { RedisKeys } from '../../src/redis/redis-keys';
import { AlertReceiver } from './alert-receiver';
import { closeAll } from './close-all';
import { ManualClock } from './manual-clock';

/**
 * What replicas of the alert sending share in a unit spec, as replicas share Redis: one manual clock, a coordination
 * store and a delivery log in memory (a spec may swap either for a failing one before it makes its replicas), and two
 * real local receivers, the webhook's and another channel's. The dispatchers a spec makes are stopped, and the
 * receivers closed, by `close`.
 */
export class AlertStage {
  readonly keys = new RedisKeys('test-vault:');
  coordination: CoordinationStore;
  deliveries: AlertDeliveryLog;
  readonly dispatchers: AlertDispatcher[] = [];

  private constructor(
    readonly clock: ManualClock,
    readonly webhook: AlertReceiver,
    readonly other: AlertReceiver,
  ) {
    this.coordination = new MemoryCoordinationStore(clock);
    this.deliveries = new MemoryAlertDeliveryLog();
  }

  static async start(now: Date): Promise<AlertStage> {
    const [webhook, other] = await Promise.all([new AlertReceiver().start(), new AlertReceiver().start()]);
    return new AlertStage(new ManualClock(now), webhook, other);
  }

  /** AlertSettings as a desk writes them, with this stage's webhook, retries 5 ms apart, and `env` over them. */
  settings(env: Record<string, string> = {}): AlertSettings {
    return loadConfiguration(
      { ALERT_WEBHOOK_URL: `${this.webhook.url}/hooks/vault`, PUBLIC_URL: 'https://vault.desk.example', ALERT_RETRY_DELAY: '5ms', ...env },
      // The brokers' slice says how accounts are written (EXPECTED_ACCOUNTS).
      [brokersConfig, alertsConfig],
    ).get(AlertSettings);
  }

  /** A replica's dispatcher and its delivery and metrics, sending to `channels`, on the shared clock, store and log. */
  providers(settings: AlertSettings, channels: AlertChannel[]): Provider[] {
    return [
      AlertDispatcher,
      AlertDelivery,
      VaultMetrics,
      { provide: ALERT_CHANNELS, useValue: channels },
      { provide: CoordinationStore, useValue: this.coordination },
      { provide: AlertDeliveryLog, useValue: this.deliveries },
      { provide: AlertSettings, useValue: settings },
      { provide: Clock, useValue: this.clock },
      { provide: RedisKeys, useValue: this.keys },
    ];
  }

  close(): Promise<void> {
    return closeAll(
      () => this.dispatchers.forEach((dispatcher) => dispatcher.stop()),
      () => this.webhook.stop(),
      () => this.other.stop(),
    );
  }
}
