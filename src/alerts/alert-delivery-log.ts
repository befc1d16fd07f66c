import { AlertType } from './alert';
import { DeliveryOutcome } from './alert-delivery';

/** One settled delivery of an alert to a channel, as operators review them: never the message or the channel's URL. */
export interface DeliveryRecord {
  at: Date;
  channel: string;
  type: AlertType;
  result: DeliveryOutcome;
  /** Why a failed delivery failed, as its last attempt ended: `HTTP 404`, `no answer within 5 s`, `connection refused (ECONNREFUSED)`. */
  reason?: string;
  /** The first ACCOUNTS_KEPT accounts of the alert: a missing-token alert can name thousands. */
  accounts: string[];
  /** How many accounts the alert named in all. */
  accountCount: number;
}

export const ACCOUNTS_KEPT = 20;

/** The log keeps this many of the newest deliveries; older ones are dropped as new ones arrive. */
export const DELIVERIES_KEPT = 100;

/**
 * The last deliveries, for the status page: written by the dispatcher when a claim settles, so each delivery is
 * recorded once whichever replica made it. A port bound to Redis (shared by the replicas) or to memory.
 */
export abstract class AlertDeliveryLog {
  abstract record(delivery: DeliveryRecord): Promise<void>;
  /** The newest `limit` deliveries (at most DELIVERIES_KEPT), newest first. */
  abstract latest(limit: number): Promise<DeliveryRecord[]>;
}
