import { Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { CoordinationStore } from '../coordination/coordination.store';
import { RedisKeys } from '../redis/redis-keys';
import { TokenStore } from '../tokens/token.store';
import { TokenSettings } from '../tokens/tokens.config';
import { Alert } from './alert';
import { expiredAlert, expiringAlert, missingAlert } from './alert-messages';
import { dueLead, dueMissingCheck } from './alert-schedule';
import { AlertSettings } from './alert-settings';

/** An expired alert is still sent if the vault was down for up to this long when the token died. */
export const EXPIRED_GRACE_MS = 6 * 60 * 60_000;
/** A missing-token check is still made if the vault was down at its time, for up to this long. */
export const MISSING_GRACE_MS = 60 * 60_000;

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

  async due(channelNames: readonly string[]): Promise<Alert[]> {
    const now = this.clock.now();
    return [...(await this.expiryAlerts(now)), ...(await this.missingAlerts(now, channelNames))];
  }

  private async expiryAlerts(now: Date): Promise<Alert[]> {
    const longestLead = Math.max(0, ...this.settings.leadsMs);
    const entries = await this.store.expiringBetween(
      new Date(now.getTime() - EXPIRED_GRACE_MS),
      new Date(now.getTime() + longestLead),
    );
    const expected = this.expectedAccounts();
    const alerts: Alert[] = [];
    for (const { clientId, expiresAt } of entries) {
      if (expiresAt.getTime() > now.getTime()) {
        const lead = dueLead(expiresAt, this.settings.leadsMs, now);
        if (lead !== null) alerts.push(expiringAlert(clientId, expiresAt, lead, now, this.settings.loginUrl));
      } else if (expected === null || expected.includes(clientId)) {
        alerts.push(expiredAlert(clientId, expiresAt, this.settings.loginUrl));
      }
    }
    return alerts;
  }

  /**
   * Takes out of the index the tokens whose expired alert every channel has settled, and those past the grace
   * period, so that later scans do not look at them again.
   */
  async forgetSettledExpiries(due: Alert[], channelNames: readonly string[]): Promise<void> {
    for (const alert of due.filter((candidate) => candidate.type === 'expired')) {
      const settled = await Promise.all(channelNames.map((name) => this.coordination.read(this.keys.alertClaim(alert.id, name))));
      if (settled.every((value) => value === 'sent' || value === 'failed')) {
        await this.store.forgetExpiry(alert.accounts[0], alert.expiresAt!);
      }
    }
    await this.store.forgetExpiriesBefore(new Date(this.clock.now().getTime() - EXPIRED_GRACE_MS));
  }

  private async missingAlerts(now: Date, channelNames: readonly string[]): Promise<Alert[]> {
    const check = dueMissingCheck(this.settings.missingCheckTimes, now, MISSING_GRACE_MS);
    if (!check) return [];
    const probe = missingAlert([], check, this.settings.loginUrl);
    // Once every channel has settled this check, there is no need to look at the accounts again.
    const settled = await Promise.all(channelNames.map((name) => this.coordination.read(this.keys.alertClaim(probe.id, name))));
    if (settled.every((value) => value !== null)) return [];

    const records = await this.store.accounts();
    const live = new Set(records.filter((record) => record.present && record.expiresAt > now).map((record) => record.clientId));
    const expected = this.expectedAccounts() ?? records.map((record) => record.clientId);
    const missing = [...new Set(expected)].filter((clientId) => !live.has(clientId)).sort();
    return missing.length > 0 ? [missingAlert(missing, check, this.settings.loginUrl)] : [];
  }

  private expectedAccounts(): readonly string[] | null {
    return this.settings.expectedAccounts ?? this.tokens.allowedClientIds;
  }
}
