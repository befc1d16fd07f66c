import { brokersConfig } from '../brokers/brokers.config';
import { createHmac } from 'node:crypto';
import { BASE_DAY, istForPeople, istIso } from '../../test/support/test-time';
import { loadConfiguration } from '../config/load-configuration';
import { missingAlert, windowAlert } from './alert-messages';
import { AlertSettings } from './alert-settings';
import { DueCheck } from './alert-schedule';
import { alertsConfig } from './alerts.config';
import { AlertWindow, batchId, windowId } from './alert-window';
import { SlackChannel } from './channels/slack.channel';
import { TelegramChannel } from './channels/telegram.channel';
import { WebhookChannel } from './channels/webhook.channel';

const MIDNIGHT = BASE_DAY.plus(1).at('00:00');
const NOW = BASE_DAY.at('23:45');
const LOGIN = 'https://vault.desk.example/pocketful/login';
const ZERODHA_LOGIN = 'https://vault.desk.example/zerodha/login';
const LINKS = loadConfiguration({ PUBLIC_URL: 'https://vault.desk.example' }, [brokersConfig, alertsConfig]).get(AlertSettings);
const FIFTEEN_MIN = 15 * 60_000;
/** Client ids of the longest length the vault accepts, so that the size limits are met at their worst. */
const longId = (index: number) => `ACCOUNT-${String(index).padStart(4, '0')}-${'X'.repeat(19)}`;

function window(type: AlertWindow['type'], accounts: string[]): AlertWindow {
  const leadMs = type === 'expiring' ? FIFTEEN_MIN : null;
  return { id: windowId(type, MIDNIGHT, leadMs), type, expiresAt: MIDNIGHT, leadMs, accounts };
}

describe('an alert window', () => {
  it('is named by its kind, expiry and lead, and a later alert of it by the accounts announced before', () => {
    const expiring = window('expiring', ['YA0002']);
    expect(expiring.id).toBe(`expiring:${MIDNIGHT.getTime()}:${FIFTEEN_MIN}`);
    expect(window('expired', ['YA0002']).id).toBe(`expired:${MIDNIGHT.getTime()}`);
    expect(batchId(expiring, 0)).toBe(expiring.id);
    expect(batchId(expiring, 2)).toBe(`${expiring.id}+2`);
  });

  it('with one account, is the alert that account always had', () => {
    const alert = windowAlert(window('expiring', ['YA0002']), ['YA0002'], 'ignored', NOW, LINKS);
    expect(alert).toEqual({
      id: `expiring:YA0002:${MIDNIGHT.getTime()}:${FIFTEEN_MIN}`,
      type: 'expiring',
      accounts: ['YA0002'],
      expiresAt: MIDNIGHT,
      message: `The Pocketful token of YA0002 expires in 15 min, at ${istForPeople(MIDNIGHT)}. Log in again to keep trading: ${LOGIN}`,
      loginUrl: LOGIN,
      broker: 'Pocketful',
    });
    expect(windowAlert(window('expired', ['YA0002']), ['YA0002'], 'ignored', NOW, LINKS).id).toBe(`expired:YA0002:${MIDNIGHT.getTime()}`);
  });

  it('with several accounts, is one digest that counts them all and lists every one up to fifty', () => {
    const accounts = ['YA0002', 'YA0003', 'YA0004'];
    const digest = windowAlert(window('expired', accounts), accounts, `expired:${MIDNIGHT.getTime()}`, NOW, LINKS);
    expect(digest).toMatchObject({ id: `expired:${MIDNIGHT.getTime()}`, type: 'expired', accounts });
    expect(digest.message).toBe(
      `3 Pocketful tokens expired at ${istForPeople(MIDNIGHT)}: YA0002, YA0003, YA0004. No service can trade these accounts until someone logs in: ${LOGIN}`,
    );
  });

  describe('past fifty accounts', () => {
    const accounts = Array.from({ length: 1_234 }, (_, index) => longId(index));
    const digest = windowAlert(window('expiring', accounts), accounts, 'expiring:digest', NOW, LINKS);

    it('lists the first fifty and says how many more', () => {
      expect(digest.message).toContain(`1,234 Pocketful tokens expire in 15 min, at ${istForPeople(MIDNIGHT)}: ${longId(0)}, `);
      expect(digest.message).toContain(`${longId(49)} and 1,184 more. Log in again to keep trading: ${LOGIN}`);
      expect(digest.message).not.toContain(longId(50));
      expect(digest.accounts).toHaveLength(1_234);
    });

    it('reaches a webhook with fifty accounts, the count, and a signature over the body', () => {
      const request = new WebhookChannel('https://hooks.example/vault', 'whsec-0123456789abcdef').request(digest, NOW);
      const body = JSON.parse(request.body);
      expect(body).toEqual({
        id: 'expiring:digest',
        type: 'expiring',
        accounts: accounts.slice(0, 50),
        count: 1_234,
        expiresAt: istIso(MIDNIGHT),
        message: digest.message,
        loginUrl: LOGIN,
        sentAt: istIso(NOW),
      });
      expect(request.headers['x-token-vault-alert-id']).toBe('expiring:digest');
      expect(request.headers['x-token-vault-signature']).toBe(`sha256=${createHmac('sha256', 'whsec-0123456789abcdef').update(request.body).digest('hex')}`);
    });

    it('reaches Slack with a counting title, within the 3,000 characters of a section', () => {
      const body = JSON.parse(new SlackChannel('https://hooks.slack.com/services/T/B/X').request(digest).body);
      expect(body.text).toBe(`:hourglass_flowing_sand: 1,234 Pocketful tokens expiring: ${digest.message}`);
      expect(body.blocks[0].text.text.startsWith('*:hourglass_flowing_sand: 1,234 Pocketful tokens expiring*\n')).toBe(true);
      expect(body.blocks[0].text.text.length).toBeLessThanOrEqual(3_000);
      expect(body.blocks[1].elements[0].url).toBe(LOGIN);
    });

    it('reaches Telegram as the digest’s text, within the 4,096 characters of a message', () => {
      const body = JSON.parse(new TelegramChannel('https://api.telegram.org', '123:abc', '-100').request(digest).body);
      expect(body).toEqual({ chat_id: '-100', text: digest.message, disable_web_page_preview: true });
      expect(body.text.length).toBeLessThanOrEqual(4_096);
    });
  });

  it('leaves an alert about one account as its receivers knew it: no count', () => {
    const single = windowAlert(window('expiring', ['YA0002']), ['YA0002'], 'ignored', NOW, LINKS);
    expect(JSON.parse(new WebhookChannel('https://hooks.example/vault', null).request(single, NOW).body)).not.toHaveProperty('count');
    expect(JSON.parse(new SlackChannel('https://hooks.slack.com/services/T/B/X').request(single).body).text).toMatch(
      /^:hourglass_flowing_sand: Pocketful token expiring: The Pocketful token of YA0002/,
    );
  });

  it("names a Zerodha account's broker and sends it to Zerodha's login, in the message and on Slack", () => {
    const account = 'zerodha:AB1234';
    const alert = windowAlert(window('expiring', [account]), [account], 'ignored', NOW, LINKS);
    expect(alert).toMatchObject({ accounts: [account], loginUrl: ZERODHA_LOGIN, broker: 'Zerodha' });
    expect(alert.message).toBe(
      `The Zerodha token of ${account} expires in 15 min, at ${istForPeople(MIDNIGHT)}. Log in again to keep trading: ${ZERODHA_LOGIN}`,
    );
    const slack = JSON.parse(new SlackChannel('https://hooks.slack.com/services/T/B/X').request(alert).body);
    expect(slack.text).toBe(`:hourglass_flowing_sand: Zerodha token expiring: ${alert.message}`);
    expect(slack.blocks[1].elements[0]).toMatchObject({ text: { text: 'Log in to Zerodha' }, url: ZERODHA_LOGIN });
  });

  it('with several brokers’ accounts, names no broker and gives each broker’s accounts their own login', () => {
    const accounts = ['YA0002', 'zerodha:AB1234', 'YA0003'];
    const digest = windowAlert(window('expired', accounts), accounts, 'expired:mixed', NOW, LINKS);
    expect(digest.message).toBe(
      `3 tokens expired at ${istForPeople(MIDNIGHT)}: YA0002, zerodha:AB1234, YA0003. No service can trade these accounts until someone logs in: ` +
        `YA0002, YA0003 at ${LOGIN}; zerodha:AB1234 at ${ZERODHA_LOGIN}`,
    );
    expect(digest.broker).toBeNull();
  });
});

describe(missingAlert.name, () => {
  const check: DueCheck = { date: '2026-11-24', time: 8 * 60 + 30, at: BASE_DAY.at('08:30') };

  it('lists accounts of several brokers without naming one, each broker’s with its own login link', () => {
    const alert = missingAlert(['YA0002', 'zerodha:AB1234', 'zerodha:CD5678'], check, LINKS, LOGIN);
    expect(alert.message).toBe(
      'No live token at 08:30 IST on 2026-11-24 for YA0002, zerodha:AB1234, zerodha:CD5678. Log in before the market opens: ' +
        `YA0002 at ${LOGIN}; zerodha:AB1234, zerodha:CD5678 at ${ZERODHA_LOGIN}`,
    );
    expect(alert.broker).toBeNull();
    const slack = JSON.parse(new SlackChannel('https://hooks.slack.com/services/T/B/X').request(alert).body);
    expect(slack.text.startsWith(':warning: Tokens missing for 3 accounts: ')).toBe(true);
    expect(slack.blocks[1].elements[0].text.text).toBe('Log in');
  });

  it('names the broker and gives its one link when every account is that broker’s', () => {
    const alert = missingAlert(['zerodha:AB1234', 'zerodha:CD5678'], check, LINKS, LOGIN);
    expect(alert.message).toBe(
      `No live Zerodha token at 08:30 IST on 2026-11-24 for zerodha:AB1234, zerodha:CD5678. Log in before the market opens: ${ZERODHA_LOGIN}`,
    );
    expect(alert.loginUrl).toBe(ZERODHA_LOGIN);
  });
});
