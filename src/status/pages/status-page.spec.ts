import { Accounts } from '../../brokers/accounts';
import { VaultStatus } from '../status.service';
import { statusPage } from './status-page';

const AT = new Date('2026-03-10T04:30:00.000Z'); // 10:00 IST
const POCKETFUL = { broker: 'pocketful', loginUrl: 'https://vault.desk.example/pocketful/login' } as const;
const ZERODHA = { broker: 'zerodha', loginUrl: 'https://vault.desk.example/zerodha/login' } as const;
const MIDNIGHT = new Date('2026-03-10T18:30:00.000Z'); // 00:00 IST, the next day

function status(overrides: Partial<VaultStatus> = {}): VaultStatus {
  return {
    at: AT,
    version: '9.8.7',
    expiringWithinMs: 3_600_000,
    accounts: [
      { clientId: 'YA0002', ...POCKETFUL, state: 'live', expected: true, source: 'login', issuedAt: AT, expiresAt: MIDNIGHT, secondsLeft: 14 * 3600 },
      { clientId: 'YA0003', ...POCKETFUL, state: 'missing', expected: true, source: null, issuedAt: null, expiresAt: null, secondsLeft: 0 },
      { clientId: 'YA0009', ...POCKETFUL, state: 'expired', expected: false, source: 'import', issuedAt: AT, expiresAt: AT, secondsLeft: 0 },
    ],
    alerts: {
      channels: ['webhook'],
      recent: [{ at: AT, channel: 'webhook', type: 'missing', result: 'failed', reason: 'connection refused (ECONNREFUSED)', accounts: ['YA0003'], accountCount: 25 }],
    },
    preopen: null,
    health: {
      store: { up: true, kind: 'redis', latencyMs: 3, message: null },
      keys: { up: true, encrypted: true, sealing: 'k2026', configured: ['k2026', 'k2025'], unreadable: { k2024: ['YA0009'] }, message: null },
      replicas: { seen: ['a', 'b'], withinMs: 30_000 },
      clientsFile: { path: '/run/token-vault/clients.json', clients: 2, lastReadAt: AT, problem: null, failingSince: null, graceMs: 60_000, refusing: false },
    },
    ...overrides,
  };
}

const ACCOUNTS = new Accounts('pocketful');
const BROKERS_ON = ['pocketful', 'zerodha'] as const;

const row = (html: string, clientId: string) => new RegExp(`<tr id="account-${clientId}"[\\s\\S]*?</tr>`).exec(html)?.[0] ?? '';

describe(statusPage.name, () => {
  const html = statusPage(status(), ACCOUNTS, BROKERS_ON);

  it('refreshes itself every 30 s without any script', () => {
    expect(html).toContain('<meta http-equiv="refresh" content="30">');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });

  it('shows each account with its state, times in IST and time left, and a login button', () => {
    const live = row(html, 'YA0002');
    expect(live).toContain('data-state="live"');
    expect(live).toContain('10 Mar 2026, 10:00:00 IST');
    expect(live).toContain('11 Mar 2026, 00:00:00 IST');
    expect(live).toContain('14 h 00 min');
    expect(live).toContain('href="/pocketful/login"');
    const missing = row(html, 'YA0003');
    expect(missing).toContain('data-state="missing"');
    expect(missing).not.toContain(' h ');
    expect(missing).toContain('href="/pocketful/login"');
  });

  it("sends each account's Log in to its own broker's login page", () => {
    const line = { state: 'missing', expected: true, source: null, issuedAt: null, expiresAt: null, secondsLeft: 0 } as const;
    const page = statusPage(status({ accounts: [{ ...line, ...POCKETFUL, clientId: 'YA0002' }, { ...line, ...ZERODHA, clientId: 'zerodha:AB1234' }] }), ACCOUNTS, BROKERS_ON);
    const zerodha = new RegExp('<tr id="account-zerodha:AB1234"[\\s\\S]*?</tr>').exec(page)?.[0] ?? '';
    expect(zerodha).toContain('href="/zerodha/login" aria-label="Log in zerodha:AB1234: choose AB1234 on Zerodha\'s page"');
    expect(row(page, 'YA0002')).toContain('href="/pocketful/login"');
  });

  it('offers a login with each broker that is on, and no other, before any account has logged in', () => {
    const empty = statusPage(status({ accounts: [] }), ACCOUNTS, BROKERS_ON);
    const logins = /<p id="logins">([\s\S]*?)<\/p>/.exec(empty)?.[1] ?? '';
    expect(logins.match(/<a [^>]*>[^<]*<\/a>/g)).toEqual([
      '<a class="button" href="/pocketful/login">Log in with Pocketful</a>',
      '<a class="button" href="/zerodha/login">Log in with Zerodha</a>',
    ]);
    expect(empty).not.toContain('/upstox/login');
    const zerodhaOnly = statusPage(status({ accounts: [] }), new Accounts('zerodha'), ['zerodha']);
    expect(zerodhaOnly).toContain('<a class="button" href="/zerodha/login">Log in with Zerodha</a>');
    expect(zerodhaOnly).not.toContain('/pocketful/login');
  });

  it('names the expected accounts without a live token, and marks those not expected', () => {
    expect(html).toMatch(/id="summary"[^>]*>No live token for YA0003: log it in/);
    expect(row(html, 'YA0009')).toContain('(not expected)');
  });

  it('says when a token starts to count as expiring', () => {
    expect(html).toContain('<em>expiring soon</em> in its last 1 h,');
  });

  it('lists the last alerts with channel, kind, result, why one failed and how many accounts more', () => {
    expect(html).toMatch(/<td data-label="Channel">webhook<\/td>\s*<td data-label="Kind">missing<\/td>\s*<td data-label="Accounts">YA0003 and 24 more<\/td>/);
    expect(html).toContain('<td data-label="Result"><span class="down">failed</span>: connection refused (ECONNREFUSED)</td>');
  });

  it('shows the last pre-open check: its day and time, each verdict, and what is still being asked again', () => {
    const preopen = {
      date: '2026-03-10', time: '08:45', attempt: 1, checkedAt: AT, checked: 3, final: false,
      live: ['YA0002'], refused: ['YA0004'], missing: ['YA0003'], unknown: [{ clientId: 'YA0005', reason: 'broker_timeout' }],
    };
    const page = statusPage(status({ preopen }), ACCOUNTS, BROKERS_ON);
    expect(page).toMatch(/id="preopen" class="down">2026-03-10 at 08:45 IST \(checked <time[^>]*>10 Mar 2026, 10:00:00 IST<\/time>, retry 1\): 3 token\(s\) asked/);
    expect(page).toContain('<dd id="preopen-refused">YA0004</dd>');
    expect(page).toContain('<dd id="preopen-missing">YA0003</dd>');
    expect(page).toContain('<dt>No answer yet (asked again)</dt><dd id="preopen-unknown">YA0005 (broker_timeout)</dd>');
    expect(page).toContain('<dd id="preopen-live">YA0002</dd>');
    expect(html).toContain('No pre-open check in the last two days');
  });

  it('shows the store, the keys (and the accounts of a key not configured), the replicas and the version', () => {
    expect(html).toContain('redis, up (3 ms)');
    expect(html).toContain('sealing key k2026, 2 configured; key k2024 is not configured and seals YA0009');
    expect(html).toContain('2 seen in the last 30 s');
    expect(html).toContain('<dd id="health-version">9.8.7</dd>');
  });

  it('still answers while the store is away: accounts and alerts unknown, the store down', () => {
    const down = statusPage(
      status({
        accounts: null,
        alerts: { channels: [], recent: null },
        health: {
          store: { up: false, kind: 'redis', latencyMs: null, message: 'redis refused a ping' },
          keys: { up: false, encrypted: true, sealing: null, configured: [], unreadable: {}, message: 'unknown while the store does not answer' },
          replicas: { seen: null, withinMs: 30_000 },
          clientsFile: null,
        },
      }),
      ACCOUNTS,
      BROKERS_ON,
    );
    expect(down).toContain('The accounts cannot be listed while the token store does not answer');
    expect(down).toContain('redis, down: redis refused a ping');
    expect(down).toContain('Alerts are off here');
    expect(down).toContain('unknown while the token store does not answer');
  });

  describe('the clients file', () => {
    const file = (html: string) => /<dd id="health-clients-file"([^>]*)>([\s\S]*?)<\/dd>/.exec(html)!;
    const withFile = (clientsFile: VaultStatus['health']['clientsFile']) => statusPage(status({ health: { ...status().health, clientsFile } }), ACCOUNTS, BROKERS_ON);
    const failing = { path: '/run/token-vault/clients.json', clients: 2, lastReadAt: AT, problem: 'it cannot be read (EACCES)', graceMs: 60_000 };
    const SINCE = new Date(AT.getTime() + 1000);

    it('names it, with its clients and when it was last read', () => {
      const [, attributes, text] = file(html);
      expect(attributes).toBe(' class="up"');
      expect(text).toContain('/run/token-vault/clients.json: 2 clients, read <time datetime="2026-03-10T10:00:00+05:30">');
    });

    it('says when it cannot be used, why, and until when its keys are still accepted', () => {
      const [, attributes, text] = file(withFile({ ...failing, failingSince: SINCE, refusing: false }));
      expect(attributes).toBe(' class="down"');
      expect(text).toContain('/run/token-vault/clients.json cannot be used since <time datetime="2026-03-10T10:00:01+05:30">');
      expect(text).toContain('it cannot be read (EACCES).');
      expect(text).toContain('The 2 clients last read keep their keys until <time datetime="2026-03-10T10:01:01+05:30">');
    });

    it('says past the grace that no key of it is accepted and the replica is not ready', () => {
      const [, attributes, text] = file(withFile({ ...failing, failingSince: SINCE, refusing: true }));
      expect(attributes).toBe(' class="down"');
      expect(text).toContain('No key of it is accepted, and this replica is not ready, until it can be read.');
    });

    it('says when there is none', () => {
      expect(file(withFile(null))[2]).toBe('none (VAULT_CLIENTS_FILE is unset)');
    });

    it('escapes its path and problem', () => {
      const [, , text] = file(withFile({ ...failing, path: '/tmp/<b>.json', problem: 'clients.0.name: <i>', failingSince: SINCE, refusing: false }));
      expect(text).not.toMatch(/<b>|<i>/);
      expect(text).toContain('/tmp/&lt;b&gt;.json');
    });
  });

  it('escapes what it shows', () => {
    const hostile = statusPage(status({ version: '<img src=x>', alerts: { channels: ['<b>'], recent: [] } }), ACCOUNTS, BROKERS_ON);
    expect(hostile).not.toContain('<img src=x>');
    expect(hostile).toContain('&lt;img src=x&gt;');
    expect(hostile).not.toContain('<b>');
  });
});
