import { createHash } from 'node:crypto';

/** What Kite's session/token call takes in place of the API secret: SHA-256, in hex, of key, request token and secret. */
export function kiteChecksum(apiKey: string, requestToken: string, apiSecret: string): string {
  return createHash('sha256').update(`${apiKey}${requestToken}${apiSecret}`, 'utf8').digest('hex');
}
