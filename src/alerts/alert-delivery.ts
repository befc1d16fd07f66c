import { HttpService } from '@nestjs/axios';
import { Injectable, Logger } from '@nestjs/common';
import { firstValueFrom } from 'rxjs';
import { Alert } from './alert';
import { AlertSettings } from './alert-settings';
import { AlertChannel } from './channels/alert-channel';

export type DeliveryOutcome = 'sent' | 'failed';

const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * Sends one alert to one channel: retried with doubling delays on a network error, a 5xx or a 429, a bounded
 * number of times; any other answer is final. Every attempt carries the same alert id, so a receiver that got
 * an attempt whose answer was lost can drop the repeat.
 */
@Injectable()
export class AlertDelivery {
  private readonly logger = new Logger(AlertDelivery.name);

  constructor(
    private readonly http: HttpService,
    private readonly settings: AlertSettings,
  ) {}

  /** The longest a delivery can take, for the lease that covers it. */
  get worstCaseMs(): number {
    const { attempts, retryDelayMs, timeoutMs } = this.settings.delivery;
    return attempts * timeoutMs + retryDelayMs * (2 ** Math.max(0, attempts - 1) - 1);
  }

  async deliver(channel: AlertChannel, alert: Alert, sentAt: Date): Promise<DeliveryOutcome> {
    const { attempts, retryDelayMs } = this.settings.delivery;
    const request = channel.request(alert, sentAt);
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      const status = await this.post(request.url, request.headers, request.body);
      if (status !== null && status >= 200 && status < 300) return 'sent';
      const retryable = status === null || status >= 500 || status === 429;
      // The URL can hold a secret (a Telegram bot token, a Slack webhook path): channel names only.
      const what = status === null ? 'no answer' : `HTTP ${status}`;
      if (!retryable || attempt === attempts) {
        this.logger.error(`alert ${alert.id} to ${channel.name} failed after ${attempt} attempt(s): ${what}`);
        return 'failed';
      }
      this.logger.warn(`alert ${alert.id} to ${channel.name}: attempt ${attempt} got ${what}; retrying`);
      await sleep(retryDelayMs * 2 ** (attempt - 1));
    }
    return 'failed';
  }

  /** The status of the answer, or null when there was none (refused, reset, timed out). */
  private async post(url: string, headers: Record<string, string>, body: string): Promise<number | null> {
    try {
      const response = await firstValueFrom(
        this.http.post(url, body, {
          headers,
          timeout: this.settings.delivery.timeoutMs,
          maxRedirects: 0,
          maxContentLength: MAX_RESPONSE_BYTES,
          validateStatus: () => true,
          // The body is already JSON text; axios must send it as it is, byte for byte, or the signature breaks.
          transformRequest: [(data: string) => data],
        }),
      );
      return response.status;
    } catch {
      // An axios error holds the request, URL and headers included: nothing of it is kept.
      return null;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
