import { Injectable } from '@nestjs/common';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Clock } from '../clock/clock';
import { VaultMetrics } from '../metrics/vault-metrics';
import { TokenStore } from './token.store';
import { TokenSettings } from './tokens.config';

/**
 * How long the accounts' series stand, by the vault's clock, before a scrape collects them again: under the 15 s a
 * Prometheus usually scrapes at, so that one Prometheus sees each scrape's own collection, while two (a pair kept
 * for availability), or anyone looping on /metrics, share one.
 */
export const ACCOUNT_SERIES_MAX_AGE_MS = 10_000;

/** Series written in one turn of the event loop: a few milliseconds' work, so that a read waiting behind it is not held. */
const SERIES_PER_TURN = 2_000;

/** The far end of the expiry index: every token whose expiry is still ahead. */
const END_OF_TIME = new Date(8.64e15);

const PRESENT = {
  name: 'token_vault_token_present',
  help: 'Whether the account has a live token (1) or not (0): the accounts of ALLOWED_CLIENT_IDS and every account that stored one.',
};
const EXPIRY = {
  name: 'token_vault_token_expiry_timestamp_seconds',
  help: "When the account's live token expires, in seconds since the Unix epoch; absent for an account without one.",
};

/**
 * Each account's token: `token_vault_token_present{account}` (1 live, 0 not) for the accounts of
 * ALLOWED_CLIENT_IDS and every account that stored a token, and `token_vault_token_expiry_timestamp_seconds{account}`
 * for the live ones only: the instant, as Prometheus expects time (a rule or panel takes `… - time()` for the time
 * left), so the text stays true however long it is kept. Collected in two store calls whatever the number of
 * accounts, from what the store keeps beside the tokens (the accounts' ids, and the expiry index, where a live token
 * is one whose expiry is still ahead): no token is read, nothing decrypted. Collected at most once per
 * ACCOUNT_SERIES_MAX_AGE_MS, however many scrape (concurrent scrapes wait for the one collection under way), and kept
 * as text: 10,000 accounts are 20,000 series, which cost prom-client's Gauge about 150 ms of CPU to label and write
 * out each time, against a few ms written here. While the store does not answer, both are empty once the last
 * collection is too old, and token_vault_redis_up says why.
 */
@Injectable()
export class TokenMetrics {
  private collected: { at: number; text: string } | null = null;
  private collecting: Promise<string> | null = null;

  constructor(
    private readonly store: TokenStore,
    private readonly settings: TokenSettings,
    private readonly clock: Clock,
    metrics: VaultMetrics,
  ) {
    metrics.addText(() => this.series());
  }

  /** The two metrics' text, as last collected if that is recent enough by the vault's clock; else collected now. */
  series(): string | Promise<string> {
    const now = this.clock.now().getTime();
    const last = this.collected;
    if (last !== null && now >= last.at && now - last.at < ACCOUNT_SERIES_MAX_AGE_MS) return last.text;
    this.collecting ??= this.collect(now).finally(() => {
      this.collecting = null;
    });
    return this.collecting;
  }

  private async collect(now: number): Promise<string> {
    try {
      const [ids, live] = await Promise.all([this.store.accountIds(), this.store.expiringBetween(new Date(now + 1), END_OF_TIME)]);
      const text = await seriesText(new Set([...ids, ...(this.settings.allowedClientIds ?? [])]), live);
      this.collected = { at: now, text };
      return text;
    } catch {
      // Nothing can be said of the tokens without the store: no series rather than a false 0, nor old ones.
      this.collected = null;
      return seriesText(new Set(), []);
    }
  }
}

async function seriesText(accounts: ReadonlySet<string>, live: ReadonlyArray<{ clientId: string; expiresAt: Date }>): Promise<string> {
  const expiries = new Map(live.map((entry) => [entry.clientId, entry.expiresAt.getTime()]));
  let text = `# HELP ${PRESENT.name} ${PRESENT.help}\n# TYPE ${PRESENT.name} gauge\n`;
  let written = 0;
  for (const account of accounts) {
    if (++written % SERIES_PER_TURN === 0) await nextTurn();
    text += `${PRESENT.name}{account="${labelValue(account)}"} ${expiries.has(account) ? 1 : 0}\n`;
  }
  text += `# HELP ${EXPIRY.name} ${EXPIRY.help}\n# TYPE ${EXPIRY.name} gauge\n`;
  for (const [account, expiresAt] of expiries) {
    if (++written % SERIES_PER_TURN === 0) await nextTurn();
    text += `${EXPIRY.name}{account="${labelValue(account)}"} ${expiresAt / 1000}\n`;
  }
  return text;
}

/** An account id as a label value: ids are letters, digits, `-` and `_`, but the format's escapes cost nothing. */
function labelValue(value: string): string {
  return /[\\\n"]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"') : value;
}
