import { Injectable } from '@nestjs/common';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Clock } from '../clock/clock';
import { CoordinationStore } from '../coordination/coordination.store';
import { RedisKeys } from '../redis/redis-keys';
import { TokenStore } from '../tokens/token.store';
import { TokenSettings } from '../tokens/tokens.config';
import { Alert } from './alert';
import { missingAlert } from './alert-messages';
import { dueLead, dueMissingCheck } from './alert-schedule';
import { AlertSettings } from './alert-settings';
import { AlertWindow, windowId } from './alert-window';

/** An expired alert is still sent if the vault was down for up to this long when the token died. */
export const EXPIRED_GRACE_MS = 6 * 60 * 60_000;
/** A missing-token check is still made if the vault was down at its time, for up to this long. */
export const MISSING_GRACE_MS = 60 * 60_000;
/**
 * Accounts handled between two turns of the event loop: with ten thousand tokens expiring at once, a scan works
 * in slices of a few milliseconds each, and token reads are answered in between.
 */
export const ACCOUNTS_PER_TURN = 250;
/** Expiries taken out of the index between two turns: each is a script call of its own. */
const FORGOTTEN_PER_TURN = 25;

/** What a scan found due: expiring and expired alerts by window, and the missing-token alert, if any. */
export interface DueAlerts {
  windows: AlertWindow[];
  alerts: Alert[];
}

/**
 * Finds the alerts due at this instant. Expiries come from the store's index, asked only for tokens that expire
 * within the longest lead time (or expired within the grace period): the work of a scan follows the alerts that
 * are due, not the number of accounts.
 */
@Injectable()
export class AlertScanner {
  constructor(
    private readonly store: TokenStore,
    private readonly coordination: CoordinationStore,
    private readonly settings: AlertSettings,
    private readonly tokens: TokenSettings,
    private readonly clock: Clock,
    private readonly keys: RedisKeys,
  ) {}

  async due(channelNames: readonly string[]): Promise<DueAlerts> {
    const now = this.clock.now();
    const windows = await this.expiryWindows(now);
    return { windows, alerts: await this.missingAlerts(now, channelNames) };
  }

  private async expiryWindows(now: Date): Promise<AlertWindow[]> {
    const longestLead = Math.max(0, ...this.settings.leadsMs);
    const entries = await this.store.expiringBetween(
      new Date(now.getTime() - EXPIRED_GRACE_MS),
      new Date(now.getTime() + longestLead),
    );
    const expected = this.expectedAccounts();
    const wanted = expected === null ? null : new Set(expected);
    const windows = new Map<string, AlertWindow>();
    const join = (type: AlertWindow['type'], clientId: string, expiresAt: Date, leadMs: number | null) => {
      const id = windowId(type, expiresAt, leadMs);
      const window = windows.get(id) ?? { id, type, expiresAt, leadMs, accounts: [] };
      window.accounts.push(clientId);
      windows.set(id, window);
    };
    for (let start = 0; start < entries.length; start += ACCOUNTS_PER_TURN) {
      // The first slice too: reading the index was work enough for the turn that brought it.
      await nextTurn();
      for (const { clientId, expiresAt } of entries.slice(start, start + ACCOUNTS_PER_TURN)) {
        if (expiresAt.getTime() > now.getTime()) {
          const lead = dueLead(expiresAt, this.settings.leadsMs, now);
          if (lead !== null) join('expiring', clientId, expiresAt, lead);
        } else if (wanted === null || wanted.has(clientId)) {
          join('expired', clientId, expiresAt, null);
        }
      }
    }
    let sorted = 0;
    for (const window of windows.values()) {
      if (sorted >= ACCOUNTS_PER_TURN) {
        await nextTurn();
        sorted = 0;
      }
      // The index holds each account once: no window lists an account twice.
      window.accounts.sort();
      sorted += window.accounts.length;
    }
    return [...windows.values()];
  }

  /**
   * Takes out of the index the tokens whose expired alert every channel has settled, and those past the grace
   * period, so that later scans do not look at them again.
   */
  async forgetSettledExpiries(windows: readonly AlertWindow[], channelNames: readonly string[]): Promise<void> {
    for (const window of windows.filter((candidate) => candidate.type === 'expired')) {
      const pending = new Set<string>();
      for (const name of channelNames) {
        const { absent } = await this.coordination.notIn(this.keys.alertAnnounced(window.id, name), window.accounts);
        for (const clientId of absent) pending.add(clientId);
      }
      const settled = window.accounts.filter((clientId) => !pending.has(clientId));
      for (let start = 0; start < settled.length; start += FORGOTTEN_PER_TURN) {
        await nextTurn();
        await Promise.all(settled.slice(start, start + FORGOTTEN_PER_TURN).map((clientId) => this.store.forgetExpiry(clientId, window.expiresAt)));
      }
    }
    await this.store.forgetExpiriesBefore(new Date(this.clock.now().getTime() - EXPIRED_GRACE_MS));
  }

  private async missingAlerts(now: Date, channelNames: readonly string[]): Promise<Alert[]> {
    const check = dueMissingCheck(this.settings.missingCheckTimes, now, MISSING_GRACE_MS);
    if (!check) return [];
    const probe = missingAlert([], check, this.settings, this.settings.loginUrl);
    // Once every channel has settled this check, there is no need to look at the accounts again.
    const settled = await Promise.all(channelNames.map((name) => this.coordination.read(this.keys.alertClaim(probe.id, name))));
    if (settled.every((value) => value !== null)) return [];

    const records = await this.store.accounts();
    const live = new Set(records.filter((record) => record.present && record.expiresAt > now).map((record) => record.clientId));
    const expected = this.expectedAccounts() ?? records.map((record) => record.clientId);
    const missing = [...new Set(expected)].filter((clientId) => !live.has(clientId)).sort();
    return missing.length > 0 ? [missingAlert(missing, check, this.settings, this.settings.loginUrl)] : [];
  }

  private expectedAccounts(): readonly string[] | null {
    return this.settings.expectedAccounts ?? this.tokens.allowedClientIds;
  }
}
