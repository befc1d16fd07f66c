import { Alert } from '../alert';
import { AlertChannel, ChannelRequest } from './alert-channel';

/** The Bot API's sendMessage. The bot token is part of the URL: that URL is never logged. */
export class TelegramChannel extends AlertChannel {
  readonly name = 'telegram';

  constructor(
    private readonly apiUrl: string,
    private readonly botToken: string,
    private readonly chatId: string,
  ) {
    super();
  }

  request(alert: Alert): ChannelRequest {
    return {
      url: `${this.apiUrl}/bot${this.botToken}/sendMessage`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: this.chatId, text: alert.message, disable_web_page_preview: true }),
    };
  }
}
