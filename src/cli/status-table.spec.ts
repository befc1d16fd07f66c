import type { StatusJson } from '../status/status.views';
import { statusExitCode, statusLines } from './status-table';

function status(accounts: StatusJson['accounts']): StatusJson {
  return {
    at: '2026-03-10T10:00:00+05:30',
    version: '9.8.7',
    expiringWithin: 3600,
    accounts,
    alerts: {
      channels: ['webhook', 'slack'],
      recent: [{ at: '2026-03-10T09:58:12+05:30', channel: 'slack', type: 'stored', result: 'sent', accounts: ['YA0002'], accountCount: 1 }],
    },
    preopen: null,
    health: {
      store: { status: 'up', kind: 'redis', latencyMs: 2, message: null },
      keys: { status: 'up', encrypted: true, sealing: 'k1', configured: ['k1'], unreadable: {}, message: null },
      replicas: { seen: 2, ids: ['a', 'b'], within: 30 },
    },
  };
}

const LIVE = {
  clientId: 'YA0002',
  broker: 'pocketful',
  loginUrl: 'https://vault.desk.example/pocketful/login',
  state: 'live',
  expected: true,
  source: 'login',
  issuedAt: '2026-03-10T09:58:11+05:30',
  expiresAt: '2026-03-11T00:00:00+05:30',
  expiresIn: 50_400,
} as const;
const MISSING = {
  ...LIVE,
  clientId: 'YA10000',
  state: 'missing',
  source: null,
  issuedAt: null,
  expiresAt: null,
  expiresIn: 0,
} as const;
const ZERODHA_EXPIRED = {
  ...MISSING,
  clientId: 'zerodha:AB1234',
  broker: 'zerodha',
  loginUrl: 'https://vault.desk.example/zerodha/login',
  state: 'expired',
} as const;

describe(statusLines.name, () => {
  it('prints the accounts as a table whose columns line up', () => {
    const lines = statusLines(status([LIVE, MISSING, ZERODHA_EXPIRED]), 'http://127.0.0.1:5000');
    const table = lines.slice(lines.indexOf('') + 1, lines.indexOf('') + 5);
    expect(table[0]).toMatch(/^ACCOUNT\s+BROKER\s+STATE\s+SOURCE\s+ISSUED \(IST\)\s+EXPIRES \(IST\)\s+LEFT$/);
    expect(table[1]).toMatch(/^YA0002\s+Pocketful\s+live\s+login\s+2026-03-10 09:58\s+2026-03-11 00:00\s+14 h 00 min$/);
    expect(table[2]).toMatch(/^YA10000\s+Pocketful\s+missing\s+-\s+-\s+-\s+-$/);
    expect(table[3]).toMatch(/^zerodha:AB1234\s+Zerodha\s+expired\s+-\s+-\s+-\s+-$/);
    for (const heading of ['BROKER', 'STATE', 'SOURCE', 'ISSUED', 'EXPIRES', 'LEFT']) {
      const column = table[0].indexOf(heading);
      expect(table[1][column - 1]).toBe(' ');
      for (const row of table.slice(1)) expect(row[column]).not.toBe(' ');
    }
  });

  it('prints the last alerts, the vault’s health and a verdict', () => {
    const text = statusLines(status([LIVE, MISSING]), 'http://vault:5000').join('\n');
    expect(text).toContain('token-vault 9.8.7 at http://vault:5000, 2026-03-10 10:00 IST');
    expect(text).toMatch(/Last alerts \(to webhook, slack\):\n {2}2026-03-10 09:58 {2}slack {2}stored {2}sent {2}YA0002/);
    expect(text).toContain('Vault: store redis up (2 ms); keys sealing k1, 1 configured; replicas 2 seen in the last 30 s');
    expect(text).toContain('NOT OK: no live token for YA10000 (missing). Log in at https://vault.desk.example/pocketful/login');
  });

  it("sends each waiting account to its own broker's login, grouped by broker when several", () => {
    const verdict = (accounts: StatusJson['accounts']) => statusLines(status(accounts), 'http://vault:5000').at(-1);
    expect(verdict([LIVE, MISSING, ZERODHA_EXPIRED, { ...ZERODHA_EXPIRED, clientId: 'zerodha:CD5678', state: 'missing' }])).toBe(
      'NOT OK: no live token for YA10000 (missing), zerodha:AB1234 (expired), zerodha:CD5678 (missing). ' +
        'Log in: YA10000 at https://vault.desk.example/pocketful/login; zerodha:AB1234, zerodha:CD5678 at https://vault.desk.example/zerodha/login',
    );
    expect(verdict([LIVE, ZERODHA_EXPIRED])).toBe('NOT OK: no live token for zerodha:AB1234 (expired). Log in at https://vault.desk.example/zerodha/login');
  });

  it('links under the URL it asked when the vault gives no login URL, and to the status page when it names no broker', () => {
    const { loginUrl: _zerodhaUrl, ...zerodhaWithout } = ZERODHA_EXPIRED;
    const { loginUrl: _url, broker: _broker, ...neither } = MISSING;
    const accounts = [zerodhaWithout, neither] as unknown as StatusJson['accounts'];
    expect(statusLines(status(accounts), 'https://ops.example/vault').at(-1)).toBe(
      'NOT OK: no live token for zerodha:AB1234 (expired), YA10000 (missing). Log in: zerodha:AB1234 at https://ops.example/vault/zerodha/login; YA10000 at https://ops.example/vault/',
    );
  });

  it('prints the last pre-open check, with what is still being asked again', () => {
    expect(statusLines(status([LIVE]), 'http://vault:5000')).toContain('Pre-open check: none in the last two days.');
    const preopen = {
      date: '2026-03-10', time: '08:45', attempt: 1, checkedAt: '2026-03-10T08:50:01+05:30', checked: 3, final: false,
      live: ['YA0002'], refused: ['YA0004'], missing: ['YA0003'], unknown: [{ clientId: 'YA0005', reason: 'broker_timeout' }],
    };
    expect(statusLines({ ...status([LIVE]), preopen }, 'http://vault:5000')).toContain(
      'Pre-open check: 2026-03-10 08:45 IST, retry 1: 3 token(s) asked; refused YA0004; no token YA0003; no verdict yet, asked again YA0005 (broker_timeout).',
    );
  });
});

describe(statusExitCode.name, () => {
  it('is 0 when every expected account is live or expiring soon', () => {
    expect(statusExitCode(status([LIVE, { ...LIVE, clientId: 'YA0003', state: 'expiring', expiresIn: 60 }]))).toBe(0);
  });

  it('is 1 when an expected account is missing or expired, or the accounts are unknown', () => {
    expect(statusExitCode(status([LIVE, MISSING]))).toBe(1);
    expect(statusExitCode(status([{ ...LIVE, state: 'expired', expiresIn: 0 }]))).toBe(1);
    expect(statusExitCode(status(null))).toBe(1);
  });

  it('does not count an account the vault is not expected to keep', () => {
    expect(statusExitCode(status([LIVE, { ...MISSING, expected: false }]))).toBe(0);
  });
});
