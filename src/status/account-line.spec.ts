import { AccountStatus } from '../tokens/tokens.service';
import { accountLine, isUsable } from './account-line';

const NOW = new Date('2026-03-10T17:30:00.000Z');
const HOUR = 3_600_000;
const later = (ms: number) => new Date(NOW.getTime() + ms);

const LOGIN = { broker: 'pocketful', loginUrl: 'https://vault.desk.example/pocketful/login' } as const;

const stored = (state: AccountStatus['state'], expiresAt: Date): AccountStatus => ({
  clientId: 'YA0002',
  state,
  issuedAt: new Date(NOW.getTime() - 8 * HOUR),
  expiresAt,
  source: 'login',
});

describe(accountLine.name, () => {
  it('keeps a live token with more than the window left live, with the whole seconds left', () => {
    const line = accountLine(stored('live', later(HOUR + 1_999)), NOW, HOUR, true, LOGIN);
    expect(line).toMatchObject({ clientId: 'YA0002', state: 'live', expected: true, source: 'login', secondsLeft: 3601 });
    expect(isUsable(line)).toBe(true);
  });

  it('flags a live token with exactly the window left as expiring, and one a moment later too', () => {
    expect(accountLine(stored('live', later(HOUR)), NOW, HOUR, true, LOGIN).state).toBe('expiring');
    expect(accountLine(stored('live', later(HOUR - 1)), NOW, HOUR, true, LOGIN)).toMatchObject({ state: 'expiring', secondsLeft: 3599 });
  });

  it('follows the window it is given', () => {
    expect(accountLine(stored('live', later(20 * 60_000)), NOW, 15 * 60_000, true, LOGIN).state).toBe('live');
    expect(accountLine(stored('live', later(20 * 60_000)), NOW, 30 * 60_000, true, LOGIN).state).toBe('expiring');
  });

  it('keeps expired and missing as they are, with no time left, and not usable', () => {
    const expired = accountLine(stored('expired', later(-1)), NOW, HOUR, true, LOGIN);
    expect(expired).toMatchObject({ state: 'expired', secondsLeft: 0 });
    expect(isUsable(expired)).toBe(false);
    const missing = accountLine({ clientId: 'YA0003', state: 'missing', issuedAt: null, expiresAt: null, source: null }, NOW, HOUR, false, LOGIN);
    expect(missing).toEqual({ clientId: 'YA0003', ...LOGIN, state: 'missing', expected: false, source: null, issuedAt: null, expiresAt: null, secondsLeft: 0 });
    expect(isUsable(missing)).toBe(false);
  });

  it('carries the broker and login link it is given', () => {
    const zerodha = { broker: 'zerodha', loginUrl: 'https://vault.desk.example/zerodha/login' } as const;
    const line = accountLine({ clientId: 'zerodha:AB1234', state: 'missing', issuedAt: null, expiresAt: null, source: null }, NOW, HOUR, true, zerodha);
    expect(line).toMatchObject({ clientId: 'zerodha:AB1234', broker: 'zerodha', loginUrl: 'https://vault.desk.example/zerodha/login' });
  });
});
