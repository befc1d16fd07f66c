import { AlertSettings } from './alert-settings';
import { AlertChannel } from './channels/alert-channel';
import { SlackChannel } from './channels/slack.channel';
import { TelegramChannel } from './channels/telegram.channel';
import { WebhookChannel } from './channels/webhook.channel';

/** The injection token for the list of configured channels. */
export const ALERT_CHANNELS = Symbol('ALERT_CHANNELS');

/** The channels the configuration turns on, in a fixed order. */
export function configuredChannels(settings: AlertSettings): AlertChannel[] {
  const channels: AlertChannel[] = [];
  if (settings.webhook) channels.push(new WebhookChannel(settings.webhook.url, settings.webhook.secret));
  if (settings.slackUrl) channels.push(new SlackChannel(settings.slackUrl));
  if (settings.telegram) {
    const { apiUrl, botToken, chatId } = settings.telegram;
    channels.push(new TelegramChannel(apiUrl, botToken, chatId));
  }
  return channels;
}
