import { Accounts, brokerLoginPath } from '../../brokers/accounts';
import { BrokerId } from '../../brokers/broker-adapter';
import { BROKER_NAMES } from '../../brokers/broker-names';
import { DeliveryRecord } from '../../alerts/alert-delivery-log';
import { formatDuration } from '../../alerts/alert-schedule';
import { formatIst, formatIstForPeople } from '../../clock/ist-time';
import { escapeHtml, page } from '../../http/pages/html';
import { AccountLine, AccountLineState, isUsable } from '../account-line';
import { VaultStatus } from '../status.service';
import { formatTimeLeft } from '../time-left';

/** Often enough that the time left is never more than half a minute old, seldom enough to cost nothing. */
export const STATUS_REFRESH_SECONDS = 30;

const STATE_LABELS: Record<AccountLineState, string> = {
  live: 'live',
  expiring: 'expiring soon',
  expired: 'expired',
  missing: 'missing',
};

const NONE = '<span class="muted">—</span>';

/**
 * The operator's morning page: every account with its token's state and a way to log it in, the last alerts, and
 * the vault's own health. Server-rendered and refreshed by a meta tag, so it needs no script, and shows no token.
 * `loginBrokers`: the brokers that are on, each offered a login before any account has one.
 */
export function statusPage(status: VaultStatus, accounts: Accounts, loginBrokers: readonly BrokerId[]): string {
  return page(
    'Status',
    `<main class="status">
<h1>token-vault</h1>
<p class="muted">As of ${instant(status.at)}; this page refreshes every ${STATUS_REFRESH_SECONDS} s.</p>
<h2>Accounts</h2>
${accountsSection(status, accounts, loginBrokers)}
<h2>Pre-open check</h2>
${preopenSection(status)}
<h2>Last alerts</h2>
${alertsSection(status)}
<h2>Vault</h2>
${healthSection(status)}
</main>`,
    { refreshSeconds: STATUS_REFRESH_SECONDS, wide: true },
  );
}

function accountsSection({ accounts, expiringWithinMs }: VaultStatus, brokers: Accounts, loginBrokers: readonly BrokerId[]): string {
  if (accounts === null) return '<p id="summary" class="down">The accounts cannot be listed while the token store does not answer (see Vault below).</p>';
  if (accounts.length === 0) {
    const logins = loginBrokers.map((broker) => `<a class="button" href="${brokerLoginPath(broker)}">Log in with ${BROKER_NAMES[broker]}</a>`);
    return `<p id="summary">No account has logged in yet, and none is expected (ALLOWED_CLIENT_IDS is unset).</p>
<p id="logins">${logins.join('\n')}</p>`;
  }
  const soon = formatDuration(expiringWithinMs);
  return `${summary(accounts)}
<table class="cards" id="accounts">
<thead><tr><th>Account</th><th>State</th><th>Source</th><th>Issued</th><th>Expires</th><th>Time left</th><th></th></tr></thead>
<tbody>
${accounts.map((line) => accountRow(line, brokers)).join('\n')}
</tbody>
</table>
<p class="muted">Log in opens the account's broker's login page, where you choose the account: the broker, not this page, decides which
account logs in. A token is <em>expiring soon</em> in its last ${escapeHtml(soon)}, when the first expiry alert goes out.</p>`;
}

function summary(accounts: AccountLine[]): string {
  const expected = accounts.filter((line) => line.expected);
  const waiting = expected.filter((line) => !isUsable(line)).map((line) => line.clientId);
  if (waiting.length === 0) {
    return `<p id="summary" class="up">Every expected account has a live token (${expected.length}).</p>`;
  }
  return `<p id="summary" class="down">No live token for ${escapeHtml(waiting.join(', '))}: log ${waiting.length === 1 ? 'it' : 'them'} in.</p>`;
}

function accountRow(line: AccountLine, brokers: Accounts): string {
  const { broker } = line;
  const id = escapeHtml(line.clientId);
  const usable = isUsable(line);
  const note = line.expected ? '' : ' <span class="muted">(not expected)</span>';
  return `<tr id="account-${id}" data-state="${line.state}">
<td data-label="Account"><strong>${id}</strong>${note}</td>
<td data-label="State"><span class="state state-${line.state}">${STATE_LABELS[line.state]}</span></td>
<td data-label="Source">${line.source ? escapeHtml(line.source) : NONE}</td>
<td data-label="Issued">${instant(line.issuedAt)}</td>
<td data-label="Expires" class="expires">${instant(line.expiresAt)}</td>
<td data-label="Time left" class="left">${usable ? escapeHtml(formatTimeLeft(line.secondsLeft)) : NONE}</td>
<td data-label="Login"><a class="button" href="${brokerLoginPath(broker)}" aria-label="Log in ${id}: choose ${escapeHtml(brokers.idOf(line.clientId))} on ${BROKER_NAMES[broker]}'s page">Log in</a></td>
</tr>`;
}

function instant(at: Date | null): string {
  return at ? `<time datetime="${formatIst(at)}">${escapeHtml(formatIstForPeople(at))}</time>` : NONE;
}

function alertsSection({ alerts }: VaultStatus): string {
  const channels =
    alerts.channels.length > 0
      ? `<p class="muted" id="channels">Sent to: ${escapeHtml(alerts.channels.join(', '))}.</p>`
      : '<p class="muted" id="channels">Alerts are off here: set ALERT_WEBHOOK_URL, SLACK_WEBHOOK_URL or TELEGRAM_BOT_TOKEN.</p>';
  if (alerts.recent === null) return `<p class="down">The alert log cannot be read while the token store does not answer.</p>\n${channels}`;
  if (alerts.recent.length === 0) return `<p id="no-alerts">No alert has been sent yet.</p>\n${channels}`;
  return `<table class="cards" id="alerts">
<thead><tr><th>Time</th><th>Channel</th><th>Kind</th><th>Accounts</th><th>Result</th></tr></thead>
<tbody>
${alerts.recent.map(deliveryRow).join('\n')}
</tbody>
</table>
${channels}`;
}

function deliveryRow(delivery: DeliveryRecord): string {
  const more = delivery.accountCount - delivery.accounts.length;
  const accounts = delivery.accounts.join(', ') + (more > 0 ? ` and ${more} more` : '');
  return `<tr>
<td data-label="Time">${instant(delivery.at)}</td>
<td data-label="Channel">${escapeHtml(delivery.channel)}</td>
<td data-label="Kind">${escapeHtml(delivery.type)}</td>
<td data-label="Accounts">${accounts ? escapeHtml(accounts) : NONE}</td>
<td data-label="Result"><span class="${delivery.result === 'sent' ? 'up' : 'down'}">${escapeHtml(delivery.result)}</span>${delivery.reason ? `: ${escapeHtml(delivery.reason)}` : ''}</td>
</tr>`;
}

function preopenSection({ preopen }: VaultStatus): string {
  if (preopen === null) return '<p id="preopen" class="muted">No pre-open check in the last two days (PREOPEN_CHECK_AT).</p>';
  const retry = preopen.attempt === 0 ? '' : `, retry ${preopen.attempt}`;
  const rows: [string, string, string[]][] = [
    ['preopen-refused', 'Refused (removed)', preopen.refused],
    ['preopen-missing', 'No token', preopen.missing],
    ['preopen-unknown', preopen.final ? 'No answer from the broker' : 'No answer yet (asked again)', preopen.unknown.map((entry) => `${entry.clientId} (${entry.reason})`)],
    ['preopen-live', 'Live', preopen.live],
  ];
  const state = preopen.refused.length + preopen.missing.length + preopen.unknown.length === 0 ? 'up' : 'down';
  return `<p id="preopen" class="${state}">${escapeHtml(preopen.date)} at ${escapeHtml(preopen.time)} IST (checked ${instant(preopen.checkedAt)}${escapeHtml(retry)}): ${preopen.checked} token(s) asked.</p>
<dl id="preopen-results">
${rows.map(([id, label, ids]) => `<dt>${label}</dt><dd id="${id}">${ids.length > 0 ? escapeHtml(ids.join(', ')) : NONE}</dd>`).join('\n')}
</dl>`;
}

function healthSection({ health, version }: VaultStatus): string {
  const { store, keys, replicas } = health;
  const latency = store.latencyMs === null ? '' : ` (${store.latencyMs} ms)`;
  const storeText = store.up ? `${store.kind}, up${latency}` : `${store.kind}, down: ${store.message ?? 'no answer'}`;
  const seenText =
    replicas.seen === null
      ? 'unknown while the token store does not answer'
      : `${replicas.seen.length} seen in the last ${Math.round(replicas.withinMs / 1000)} s`;
  return `<dl id="health">
<dt>Store</dt><dd id="health-store" class="${store.up ? 'up' : 'down'}">${escapeHtml(storeText)}</dd>
<dt>Keys</dt><dd id="health-keys" class="${keys.up ? 'up' : 'down'}">${keysText(keys)}</dd>
<dt>Replicas</dt><dd id="health-replicas">${escapeHtml(seenText)}</dd>
${clientsFileRow(health.clientsFile)}
<dt>Version</dt><dd id="health-version">${escapeHtml(version)}</dd>
</dl>`;
}

/** Loud while the file cannot be used: a revocation written to it may not have taken effect on this replica. */
function clientsFileRow(file: VaultStatus['health']['clientsFile']): string {
  if (file === null) return '<dt>Clients file</dt><dd id="health-clients-file">none (VAULT_CLIENTS_FILE is unset)</dd>';
  const path = escapeHtml(file.path);
  const clients = `${file.clients} client${file.clients === 1 ? '' : 's'}`;
  let text: string;
  if (file.problem === null) {
    text = `${path}: ${clients}, read ${instant(file.lastReadAt)}`;
  } else {
    const since = file.failingSince ?? file.lastReadAt;
    const failing = `${path} cannot be used since ${instant(since)}: ${escapeHtml(file.problem)}.`;
    text = file.refusing
      ? `${failing} No key of it is accepted, and this replica is not ready, until it can be read.`
      : `${failing} The ${clients} last read keep their keys until ${instant(new Date(since.getTime() + file.graceMs))}, then none is accepted.`;
  }
  return `<dt>Clients file</dt><dd id="health-clients-file" class="${file.problem === null ? 'up' : 'down'}">${text}</dd>`;
}

function keysText(keys: VaultStatus['health']['keys']): string {
  if (!keys.up) return escapeHtml(keys.message ?? 'unknown');
  if (!keys.encrypted) return 'not encrypted (memory store)';
  const configured = `sealing key ${keys.sealing ?? '?'}, ${keys.configured.length} configured`;
  const unreadable = Object.entries(keys.unreadable).map(
    ([keyId, accounts]) => `; key ${keyId} is not configured and seals ${accounts.join(', ')}: log ${accounts.length === 1 ? 'it' : 'them'} in again`,
  );
  return escapeHtml(configured + unreadable.join(''));
}
