import { Injectable } from '@nestjs/common';
import { AlertDeliveryLog, DELIVERIES_KEPT, DeliveryRecord } from './alert-delivery-log';

@Injectable()
export class MemoryAlertDeliveryLog extends AlertDeliveryLog {
  /** Newest first. */
  private readonly deliveries: DeliveryRecord[] = [];

  async record(delivery: DeliveryRecord): Promise<void> {
    this.deliveries.unshift({ ...delivery, accounts: [...delivery.accounts] });
    this.deliveries.length = Math.min(this.deliveries.length, DELIVERIES_KEPT);
  }

  async latest(limit: number): Promise<DeliveryRecord[]> {
    return this.deliveries.slice(0, Math.max(0, Math.min(limit, DELIVERIES_KEPT))).map((delivery) => ({ ...delivery, accounts: [...delivery.accounts] }));
  }
}
