import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { Clock } from '../clock/clock';
import { KeyringSettings } from '../crypto/keyring.config';
import { StorageSettings } from '../redis/storage.config';
import { TokenStore } from '../tokens/token.store';

/** Readiness probes come every few seconds; the key usage of every account is worth reading once a minute. */
const CACHE_MS = 60_000;

/**
 * Which keys seal the stored tokens, and which tokens name a key that is no longer configured. Such tokens cannot
 * be served (each read says which key it needs) but every other token can: the indicator reports them without
 * failing readiness, which would take every replica out of service for one account's sake.
 */
@Injectable()
export class KeyringHealthIndicator {
  private cached: { at: number; usage: Promise<Record<string, string[]>> } | null = null;

  constructor(
    private readonly store: TokenStore,
    private readonly health: HealthIndicatorService,
    private readonly keyring: KeyringSettings,
    private readonly storage: StorageSettings,
    private readonly clock: Clock,
  ) {}

  async check(key = 'keys'): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    const configured = this.keyring.keys.map((entry) => entry.id);
    if (this.storage.kind !== 'redis') return indicator.up({ encrypted: false });
    let usage: Record<string, string[]>;
    try {
      usage = await this.usage();
    } catch {
      return indicator.down({ message: 'unknown while the store does not answer' });
    }
    const unreadable = Object.fromEntries(Object.entries(usage).filter(([kid]) => !configured.includes(kid)));
    return indicator.up({
      sealing: configured[0],
      configured,
      inUse: Object.fromEntries(Object.entries(usage).map(([kid, accounts]) => [kid, accounts.length])),
      ...(Object.keys(unreadable).length > 0 ? { unreadable, hint: 'configure the missing key ids, or log these accounts in again' } : {}),
    });
  }

  /** One read of the store per minute, shared by the probes that arrive while it is under way. */
  private usage(): Promise<Record<string, string[]>> {
    const now = this.clock.now().getTime();
    const age = this.cached ? now - this.cached.at : Infinity;
    if (!this.cached || age >= CACHE_MS || age < 0) {
      const usage = this.store.keyUsage();
      this.cached = { at: now, usage };
      // A failed read is not kept: the next probe asks again.
      usage.catch(() => {
        if (this.cached?.usage === usage) this.cached = null;
      });
    }
    return this.cached.usage;
  }
}
