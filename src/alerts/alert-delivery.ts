import { HttpService } from '@nestjs/axios';
import { Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { firstValueFrom } from 'rxjs';
import { Alert } from './alert';
import { AlertSettings } from './alert-settings';
import { AlertChannel } from './channels/alert-channel';

export type DeliveryOutcome = 'sent' | 'failed';
/**
 * A delivery either settles, or is handed back undone because the vault is stopping: its claim is then released.
 * A failed one says why, as its last attempt ended: `HTTP 404`, `no answer within 5 s`, `connection refused`.
 */
export type DeliveryResult = { outcome: 'sent' } | { outcome: 'failed'; reason: string } | { outcome: 'abandoned' };

/** What an attempt came to: the receiver's status, or why there was none, in words (never the error's message). */
type Attempt = { status: number } | { status: null; reason: string };

/** Network codes, as an operator reads them. */
const NETWORK_FAILURES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found now',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPROTO: 'TLS failed',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate for another host',
};

const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * Sends one alert to one channel: retried with doubling delays on a network error, a 5xx or a 429, a bounded
 * number of times; any other answer is final. Every attempt carries the same alert id, so a receiver that got
 * an attempt whose answer was lost can drop the repeat.
 */
@Injectable()
export class AlertDelivery {
  private readonly logger = new Logger(AlertDelivery.name);
  private readonly stopping = new AbortController();

  constructor(
    private readonly http: HttpService,
    private readonly settings: AlertSettings,
  ) {}

  /** The longest a delivery can take, for the lease that covers it. */
  get worstCaseMs(): number {
    const { attempts, retryDelayMs, timeoutMs } = this.settings.delivery;
    return attempts * timeoutMs + retryDelayMs * (2 ** Math.max(0, attempts - 1) - 1);
  }

  get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  /**
   * The vault is stopping: no attempt starts, the one in flight is cut and no retry waits, so that shutdown is not
   * held up by a slow receiver. What is abandoned is released and sent by another replica, with the same id.
   */
  stop(): void {
    this.stopping.abort();
  }

  async deliver(channel: AlertChannel, alert: Alert, sentAt: Date): Promise<DeliveryResult> {
    const { attempts, retryDelayMs } = this.settings.delivery;
    const request = channel.request(alert, sentAt);
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      if (this.stopped) return { outcome: 'abandoned' };
      const answer = await this.post(request.url, request.headers, request.body);
      const { status } = answer;
      if (status !== null && status >= 200 && status < 300) return { outcome: 'sent' };
      if (this.stopped) return { outcome: 'abandoned' };
      const retryable = status === null || status >= 500 || status === 429;
      // The URL can hold a secret (a Telegram bot token, a Slack webhook path): channel names only.
      const what = answer.status === null ? answer.reason : `HTTP ${answer.status}`;
      if (!retryable || attempt === attempts) {
        this.logger.error(`alert ${alert.id} to ${channel.name} failed after ${attempt} attempt(s): ${what}`);
        return { outcome: 'failed', reason: what };
      }
      this.logger.warn(`alert ${alert.id} to ${channel.name}: attempt ${attempt} got ${what}; retrying`);
      await sleep(retryDelayMs * 2 ** (attempt - 1), undefined, { signal: this.stopping.signal }).catch(() => undefined);
    }
    return { outcome: 'failed', reason: 'no attempt made' };
  }

  /** The status of the answer, or why there was none (refused, reset, timed out). */
  private async post(url: string, headers: Record<string, string>, body: string): Promise<Attempt> {
    try {
      const response = await firstValueFrom(
        this.http.post(url, body, {
          headers,
          timeout: this.settings.delivery.timeoutMs,
          maxRedirects: 0,
          maxContentLength: MAX_RESPONSE_BYTES,
          validateStatus: () => true,
          signal: this.stopping.signal,
          // The body is already JSON text; axios must send it as it is, byte for byte, or the signature breaks.
          transformRequest: [(data: string) => data],
        }),
      );
      return { status: response.status };
    } catch (error) {
      // An axios error holds the request, URL and headers included: only its code is read.
      return { status: null, reason: this.reasonOf(error) };
    }
  }

  private reasonOf(error: unknown): string {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') return `no answer within ${formatSeconds(this.settings.delivery.timeoutMs)}`;
    if (code === 'ERR_FR_MAX_BODY_LENGTH_EXCEEDED' || code === 'ERR_BAD_RESPONSE') return 'an answer too large to read';
    if (typeof code === 'string' && NETWORK_FAILURES[code] !== undefined) return `${NETWORK_FAILURES[code]} (${code})`;
    return typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code) ? `no answer (${code})` : 'no answer';
  }
}

const formatSeconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
