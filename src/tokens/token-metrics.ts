import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { Clock } from '../clock/clock';
import { VaultMetrics } from '../metrics/vault-metrics';
import { AccountStatus, TokensService } from './tokens.service';

/**
 * Each account's token as a scrape finds it: `token_vault_token_present{account}` (1 live, 0 not) for the accounts
 * of ALLOWED_CLIENT_IDS and every account that stored a token, and `token_vault_token_expiry_seconds{account}` for
 * the live ones only. Read when scraped, from the same account listing as GET /v1/accounts (issue and expiry times,
 * no token, nothing decrypted), by the vault's clock. While the store does not answer both are empty, and
 * token_vault_redis_up says why.
 */
@Injectable()
export class TokenMetrics {
  /** One listing per scrape, shared by the two gauges that prom-client collects side by side. */
  private listing: Promise<AccountStatus[] | null> | null = null;

  constructor(
    private readonly tokens: TokensService,
    private readonly clock: Clock,
    metrics: VaultMetrics,
  ) {
    const accounts = () => this.accounts();
    const now = () => this.clock.now().getTime();
    new Gauge({
      name: 'token_vault_token_present',
      help: 'Whether the account has a live token (1) or not (0): the accounts of ALLOWED_CLIENT_IDS and every account that stored one.',
      labelNames: ['account'] as const,
      registers: [metrics.registry],
      async collect() {
        const listed = await accounts();
        this.reset();
        for (const account of listed ?? []) this.labels(account.clientId).set(account.state === 'live' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'token_vault_token_expiry_seconds',
      help: 'Seconds until the account\'s live token expires; absent for an account without one.',
      labelNames: ['account'] as const,
      registers: [metrics.registry],
      async collect() {
        const listed = await accounts();
        this.reset();
        const at = now();
        for (const account of listed ?? []) {
          if (account.state === 'live' && account.expiresAt) this.labels(account.clientId).set((account.expiresAt.getTime() - at) / 1000);
        }
      },
    });
  }

  private accounts(): Promise<AccountStatus[] | null> {
    this.listing ??= this.tokens
      .accounts()
      .catch(() => null)
      .finally(() => {
        this.listing = null;
      });
    return this.listing;
  }
}
