import { Alert } from '../alert';
import { AlertChannel, ChannelRequest } from './alert-channel';

const TITLES: Record<Alert['type'], string> = {
  expiring: ':hourglass_flowing_sand: Pocketful token expiring',
  expired: ':red_circle: Pocketful token expired',
  missing: ':warning: Pocketful token missing',
  invalid: ':no_entry: Pocketful token refused',
  stored: ':white_check_mark: Pocketful token stored',
};

/** Slack's incoming-webhook format: a plain `text` for notifications, and blocks with a login button. */
export class SlackChannel extends AlertChannel {
  readonly name = 'slack';

  constructor(private readonly url: string) {
    super();
  }

  request(alert: Alert): ChannelRequest {
    const text = `${TITLES[alert.type]}: ${alert.message}`;
    const body = {
      text,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: `*${TITLES[alert.type]}*\n${escapeMrkdwn(alert.message)}` } },
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
