import { Alert, isDigest } from '../alert';
import { AlertChannel, ChannelRequest } from './alert-channel';

const TITLES: Record<Alert['type'], string> = {
  expiring: ':hourglass_flowing_sand: Pocketful token expiring',
  expired: ':red_circle: Pocketful token expired',
  missing: ':warning: Pocketful token missing',
  invalid: ':no_entry: Pocketful token refused',
  stored: ':white_check_mark: Pocketful token stored',
  preopen: ':sunrise: Pre-open check',
};

/** A digest's title counts its accounts; the message lists the first of them. */
const DIGEST_TITLES: Record<Alert['type'], (count: string) => string> = {
  expiring: (count) => `:hourglass_flowing_sand: ${count} Pocketful tokens expiring`,
  expired: (count) => `:red_circle: ${count} Pocketful tokens expired`,
  missing: (count) => `:warning: Pocketful tokens missing for ${count} accounts`,
  invalid: (count) => `:no_entry: ${count} Pocketful tokens refused`,
  stored: (count) => `:white_check_mark: ${count} Pocketful tokens stored`,
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
    const title = isDigest(alert) ? DIGEST_TITLES[alert.type](numbers.format(alert.accounts.length)) : TITLES[alert.type];
    const body = {
      text: `${title}: ${alert.message}`,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: `*${title}*\n${escapeMrkdwn(alert.message)}` } },
        {
          type: 'actions',
          elements: [{ type: 'button', text: { type: 'plain_text', text: 'Log in to Pocketful' }, url: alert.loginUrl }],
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
