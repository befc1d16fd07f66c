import { createHmac } from 'node:crypto';
import { BASE_DAY, istForPeople, istIso } from '../../test/support/test-time';
import { windowAlert } from './alert-messages';
import { AlertWindow, batchId, windowId } from './alert-window';
import { SlackChannel } from './channels/slack.channel';
import { TelegramChannel } from './channels/telegram.channel';
import { WebhookChannel } from './channels/webhook.channel';

const MIDNIGHT = BASE_DAY.plus(1).at('00:00');
const NOW = BASE_DAY.at('23:45');
const LOGIN = 'https://vault.desk.example/pocketful/login';
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
    const alert = windowAlert(window('expiring', ['YA0002']), ['YA0002'], 'ignored', NOW, LOGIN);
    expect(alert).toEqual({
      id: `expiring:YA0002:${MIDNIGHT.getTime()}:${FIFTEEN_MIN}`,
      type: 'expiring',
      accounts: ['YA0002'],
      expiresAt: MIDNIGHT,
      message: `The Pocketful token of YA0002 expires in 15 min, at ${istForPeople(MIDNIGHT)}. Log in again to keep trading: ${LOGIN}`,
      loginUrl: LOGIN,
    });
    expect(windowAlert(window('expired', ['YA0002']), ['YA0002'], 'ignored', NOW, LOGIN).id).toBe(`expired:YA0002:${MIDNIGHT.getTime()}`);
  });

  it('with several accounts, is one digest that counts them all and lists every one up to fifty', () => {
    const accounts = ['YA0002', 'YA0003', 'YA0004'];
    const digest = windowAlert(window('expired', accounts), accounts, `expired:${MIDNIGHT.getTime()}`, NOW, LOGIN);
    expect(digest).toMatchObject({ id: `expired:${MIDNIGHT.getTime()}`, type: 'expired', accounts });
    expect(digest.message).toBe(
      `3 Pocketful tokens expired at ${istForPeople(MIDNIGHT)}: YA0002, YA0003, YA0004. No service can trade these accounts until someone logs in: ${LOGIN}`,
    );
  });

  describe('past fifty accounts', () => {
    const accounts = Array.from({ length: 1_234 }, (_, index) => longId(index));
    const digest = windowAlert(window('expiring', accounts), accounts, 'expiring:digest', NOW, LOGIN);

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
    const single = windowAlert(window('expiring', ['YA0002']), ['YA0002'], 'ignored', NOW, LOGIN);
    expect(JSON.parse(new WebhookChannel('https://hooks.example/vault', null).request(single, NOW).body)).not.toHaveProperty('count');
    expect(JSON.parse(new SlackChannel('https://hooks.slack.com/services/T/B/X').request(single).body).text).toMatch(
      /^:hourglass_flowing_sand: Pocketful token expiring: The Pocketful token of YA0002/,
    );
  });
});
