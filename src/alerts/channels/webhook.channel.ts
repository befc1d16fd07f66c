import { createHmac } from 'node:crypto';
import { formatIst } from '../../clock/ist-time';
import { Alert, isDigest, LISTED_ACCOUNTS } from '../alert';
import { AlertChannel, ChannelRequest } from './alert-channel';

export const SIGNATURE_HEADER = 'X-Token-Vault-Signature';

/**
 * The JSON a receiver gets, signed so it can tell the vault's alerts from anyone else's POSTs. A digest lists the
 * first LISTED_ACCOUNTS accounts and says how many there are in `count`; an alert about one account is as it was.
 */
export class WebhookChannel extends AlertChannel {
  readonly name = 'webhook';

  constructor(
    private readonly url: string,
    private readonly secret: string | null,
  ) {
    super();
  }

  request(alert: Alert, sentAt: Date): ChannelRequest {
    const body = JSON.stringify({
      id: alert.id,
      type: alert.type,
      ...(isDigest(alert) ? { accounts: alert.accounts.slice(0, LISTED_ACCOUNTS), count: alert.accounts.length } : { accounts: alert.accounts }),
      expiresAt: alert.expiresAt ? formatIst(alert.expiresAt) : null,
      message: alert.message,
      loginUrl: alert.loginUrl,
      sentAt: formatIst(sentAt),
    });
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-token-vault-alert-id': alert.id };
    if (this.secret) headers[SIGNATURE_HEADER.toLowerCase()] = `sha256=${signature(this.secret, body)}`;
    return { url: this.url, headers, body };
  }
}

/** HMAC-SHA256 of the exact body bytes, hex: what a receiver recomputes to verify a delivery. */
export function signature(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('hex');
}
