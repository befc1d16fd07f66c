import { brokerLoginPath, isBrokerId } from '../brokers/accounts';
import { BROKER_NAMES } from '../brokers/broker-names';
import type { AccountStatusJson, StatusJson } from '../status/status.views';
import { formatTimeLeft } from '../status/time-left';

const HEADINGS = ['ACCOUNT', 'BROKER', 'STATE', 'SOURCE', 'ISSUED (IST)', 'EXPIRES (IST)', 'LEFT'];
const NONE = '-';

/** `2026-11-23T10:00:00+05:30` → `2026-11-23 10:00`: the API writes every instant in IST already. */
const shortIst = (iso: string | null): string => (iso ? iso.slice(0, 16).replace('T', ' ') : NONE);

const usable = (account: AccountStatusJson) => account.state === 'live' || account.state === 'expiring';

/**
 * What `npm run status` prints: the accounts as an aligned table, then the alerts, the vault's health and a verdict.
 * `vaultUrl`: the URL the vault was asked at (no trailing slash).
 */
export function statusLines(status: StatusJson, vaultUrl: string): string[] {
  const lines = [`token-vault ${status.version} at ${vaultUrl}, ${shortIst(status.at)} IST`, ''];
  if (status.accounts === null) {
    lines.push('Accounts: unknown, the vault cannot read its token store.');
  } else if (status.accounts.length === 0) {
    lines.push('Accounts: none logged in, none expected.');
  } else {
    lines.push(...alignedTable([HEADINGS, ...status.accounts.map(accountRow)]));
  }
  lines.push('', ...alertLines(status), '', preopenLine(status), '', healthLine(status), '', verdict(status, vaultUrl));
  return lines;
}

/** 0: every expected account has a live token; 1: one has none (or the vault cannot tell), for cron and monitors. */
export function statusExitCode(status: StatusJson): 0 | 1 {
  if (status.accounts === null) return 1;
  return status.accounts.every((account) => !account.expected || usable(account)) ? 0 : 1;
}

function accountRow(account: AccountStatusJson): string[] {
  const state = account.state === 'expiring' ? 'expiring soon' : account.state;
  return [
    account.clientId,
    isBrokerId(account.broker) ? BROKER_NAMES[account.broker] : NONE,
    account.expected ? state : `${state} (not expected)`,
    account.source ?? NONE,
    shortIst(account.issuedAt),
    shortIst(account.expiresAt),
    usable(account) ? formatTimeLeft(account.expiresIn) : NONE,
  ];
}

function alignedTable(rows: string[][]): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd());
}

function alertLines({ alerts }: StatusJson): string[] {
  const heading = alerts.channels.length > 0 ? `Last alerts (to ${alerts.channels.join(', ')}):` : 'Last alerts (alerts are off on this vault):';
  if (alerts.recent === null) return [heading, '  unknown, the vault cannot read its token store'];
  if (alerts.recent.length === 0) return [heading, '  none sent yet'];
  const rows = alerts.recent.map((delivery) => {
    const more = delivery.accountCount - delivery.accounts.length;
    const accounts = delivery.accounts.join(',') + (more > 0 ? ` +${more} more` : '');
    return [shortIst(delivery.at), delivery.channel, delivery.type, delivery.result, accounts || NONE];
  });
  return [heading, ...alignedTable(rows).map((line) => `  ${line}`)];
}

function preopenLine({ preopen }: StatusJson): string {
  if (preopen === null) return 'Pre-open check: none in the last two days.';
  const retry = preopen.attempt === 0 ? '' : `, retry ${preopen.attempt}`;
  const parts = [`${preopen.checked} token(s) asked`];
  if (preopen.refused.length > 0) parts.push(`refused ${preopen.refused.join(',')}`);
  if (preopen.missing.length > 0) parts.push(`no token ${preopen.missing.join(',')}`);
  if (preopen.unknown.length > 0) {
    const unknown = preopen.unknown.map((entry) => `${entry.clientId} (${entry.reason})`).join(',');
    parts.push(`${preopen.final ? 'no verdict' : 'no verdict yet, asked again'} ${unknown}`);
  }
  return `Pre-open check: ${preopen.date} ${preopen.time} IST${retry}: ${parts.join('; ')}.`;
}

function healthLine({ health }: StatusJson): string {
  const { store, keys, replicas } = health;
  const latency = store.latencyMs === null ? '' : ` (${store.latencyMs} ms)`;
  const storeText = store.status === 'up' ? `${store.kind} up${latency}` : `${store.kind} DOWN (${store.message ?? 'no answer'})`;
  let keysText =
    keys.status !== 'up'
      ? `unknown (${keys.message ?? 'no answer'})`
      : keys.encrypted
        ? `sealing ${keys.sealing}, ${keys.configured.length} configured`
        : 'not encrypted (memory store)';
  const unreadable = Object.entries(keys.unreadable);
  if (unreadable.length > 0) keysText += `; not configured: ${unreadable.map(([id, accounts]) => `${id} (${accounts.join(',')})`).join(', ')}`;
  const replicasText = replicas.seen === null ? 'unknown' : `${replicas.seen} seen in the last ${replicas.within} s`;
  return `Vault: store ${storeText}; keys ${keysText}; replicas ${replicasText}`;
}

function verdict(status: StatusJson, vaultUrl: string): string {
  if (status.accounts === null) return 'NOT OK: the accounts cannot be read.';
  const waiting = status.accounts.filter((account) => account.expected && !usable(account));
  if (waiting.length === 0) return `OK: every expected account has a live token (${status.accounts.filter((account) => account.expected).length}).`;
  return `NOT OK: no live token for ${waiting.map((account) => `${account.clientId} (${account.state})`).join(', ')}. Log in${loginLinks(waiting, vaultUrl)}`;
}

/** One link when every account waits on one broker; else each broker's accounts, then their link, as alerts write them. */
function loginLinks(accounts: AccountStatusJson[], vaultUrl: string): string {
  const byLink = new Map<string, string[]>();
  for (const account of accounts) {
    const link = loginUrlOf(account, vaultUrl);
    const ids = byLink.get(link);
    if (ids === undefined) byLink.set(link, [account.clientId]);
    else ids.push(account.clientId);
  }
  if (byLink.size === 1) return ` at ${[...byLink.keys()][0]}`;
  return `: ${[...byLink].map(([link, ids]) => `${ids.join(', ')} at ${link}`).join('; ')}`;
}

/**
 * The vault's own link (under PUBLIC_URL, which a proxy may serve apart from the URL asked); from a vault too old to
 * give one, the broker's login under the URL asked, or without a broker named, its status page, which links each.
 */
function loginUrlOf(account: AccountStatusJson, vaultUrl: string): string {
  if (typeof account.loginUrl === 'string') return account.loginUrl;
  return isBrokerId(account.broker) ? vaultUrl + brokerLoginPath(account.broker) : `${vaultUrl}/`;
}
