import { Alert, isDigest } from '../alert';
import { AlertChannel, ChannelRequest } from './alert-channel';

/** `token`: "Zerodha token" when the alert is one broker's, else "token". */
const TITLES: Record<Alert['type'], (token: string) => string> = {
  expiring: (token) => `:hourglass_flowing_sand: ${token} expiring`,
  expired: (token) => `:red_circle: ${token} expired`,
  missing: (token) => `:warning: ${token} missing`,
  invalid: (token) => `:no_entry: ${token} refused`,
  stored: (token) => `:white_check_mark: ${token} stored`,
  preopen: () => ':sunrise: Pre-open check',
};

/** A digest's title counts its accounts; the message lists the first of them. */
const DIGEST_TITLES: Record<Alert['type'], (count: string, tokens: string) => string> = {
  expiring: (count, tokens) => `:hourglass_flowing_sand: ${count} ${tokens} expiring`,
  expired: (count, tokens) => `:red_circle: ${count} ${tokens} expired`,
  missing: (count, tokens) => `:warning: ${tokens[0].toUpperCase()}${tokens.slice(1)} missing for ${count} accounts`,
  invalid: (count, tokens) => `:no_entry: ${count} ${tokens} refused`,
  stored: (count, tokens) => `:white_check_mark: ${count} ${tokens} stored`,
  preopen: (count) => `:sunrise: Pre-open check: ${count} accounts to log in`,
};

const numbers = new Intl.NumberFormat('en-US');

/** Slack's incoming-webhook format: a plain `text` for notifications, and blocks with a login button. */
export class SlackChannel extends AlertChannel {
  readonly name = 'slack';

  constructor(private readonly url: string) {
    super();
  }

  request(alert: Alert): ChannelRequest {
    const named = alert.broker === null ? '' : `${alert.broker} `;
    const title = isDigest(alert)
      ? DIGEST_TITLES[alert.type](numbers.format(alert.accounts.length), `${named}tokens`)
      : TITLES[alert.type](`${named}token`);
    const body = {
      text: `${title}: ${alert.message}`,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: `*${title}*\n${escapeMrkdwn(alert.message)}` } },
        {
          type: 'actions',
          elements: [{ type: 'button', text: { type: 'plain_text', text: alert.broker === null ? 'Log in' : `Log in to ${alert.broker}` }, url: alert.loginUrl }],
        },
      ],
    };
    return { url: this.url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  }
}

/** Slack reads &, < and > as markup. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
