import { Alert } from '../alert';

/** One HTTP request that delivers an alert. */
export interface ChannelRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * A place alerts go. A channel only says how an alert looks on the wire; delivery (retries, time-outs, claims)
 * is the same for all of them.
 */
export abstract class AlertChannel {
  /** Stable, for claims in Redis and for log lines: never the URL, which may hold a secret. */
  abstract readonly name: string;
  abstract request(alert: Alert, sentAt: Date): ChannelRequest;
}
