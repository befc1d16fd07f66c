import { Injectable } from '@nestjs/common';
import { redisCall } from '../redis/redis-call';
import { RedisConnection } from '../redis/redis-connection';
import { ALERT_TYPES, AlertType } from './alert';
import { AlertDeliveryLog, DELIVERIES_KEPT, DeliveryRecord } from './alert-delivery-log';

/** A list, newest at the head, trimmed in the same step as each push: it never holds more than DELIVERIES_KEPT. */
@Injectable()
export class RedisAlertDeliveryLog extends AlertDeliveryLog {
  constructor(private readonly redis: RedisConnection) {
    super();
  }

  async record(delivery: DeliveryRecord): Promise<void> {
    const key = this.redis.keys.alertDeliveries();
    const entry = JSON.stringify({ ...delivery, at: delivery.at.getTime() });
    await redisCall('alert delivery log', () =>
      this.redis.client
        .multi()
        .lpush(key, entry)
        .ltrim(key, 0, DELIVERIES_KEPT - 1)
        .exec(),
    );
  }

  async latest(limit: number): Promise<DeliveryRecord[]> {
    const count = Math.max(0, Math.min(limit, DELIVERIES_KEPT));
    if (count === 0) return [];
    const entries = await redisCall('alert delivery log', () => this.redis.client.lrange(this.redis.keys.alertDeliveries(), 0, count - 1));
    return entries.map(parseEntry).filter((entry): entry is DeliveryRecord => entry !== null);
  }
}

/** An entry another version wrote differently, or a damaged one, is left out rather than failing the page. */
function parseEntry(text: string): DeliveryRecord | null {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    const { at, channel, type, result, accounts, accountCount, reason } = value;
    if (typeof at !== 'number' || typeof channel !== 'string' || !ALERT_TYPES.includes(type as AlertType)) return null;
    if ((result !== 'sent' && result !== 'failed') || !Array.isArray(accounts) || !accounts.every((id) => typeof id === 'string')) return null;
    const count = typeof accountCount === 'number' ? accountCount : accounts.length;
    return { at: new Date(at), channel, type: type as AlertType, result, accounts, accountCount: count, ...(typeof reason === 'string' ? { reason } : {}) };
  } catch {
    return null;
  }
}
