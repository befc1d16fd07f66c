import { AccessSettings, accessConfig } from './access/access.config';
import { alertsConfig } from './alerts/alerts.config';
import { AlertSettings } from './alerts/alert-settings';
import { AuditSettings, auditConfig } from './audit/audit.config';
import { ConfigSlice } from './config/config-slice';
import { Configuration, loadConfiguration } from './config/load-configuration';
import { KeyringSettings, keyringConfig } from './crypto/keyring.config';
import { HttpSettings, httpConfig } from './http/http.config';
import { ShutdownSettings, shutdownConfig } from './http/shutdown.config';
import { LoggingSettings, loggingConfig } from './logging/logging.config';
import { BrokerSettings, pocketfulConfig } from './brokers/pocketful/pocketful.config';
import { BrokersSettings, brokersConfig } from './brokers/brokers.config';
import { RateLimitSettings, rateLimitConfig } from './rate-limit/rate-limit.config';
import { StorageSettings, storageConfig } from './redis/storage.config';
import { ScrapeSettings, scrapeConfig } from './scrape/scrape.config';
import { tokenFeedConfig } from './token-feed/token-feed.config';
import { TokenSettings, tokensConfig } from './tokens/tokens.config';

export { InvalidConfigurationError } from './config/load-configuration';

/**
 * Every feature's slice of the configuration, validated together at start-up. A slice may default from one listed
 * before it (the broker's URLs from the HTTP port, the alerts' login link from the broker's redirect URL).
 */
export const VAULT_CONFIG_SLICES: readonly ConfigSlice[] = [
  httpConfig,
  shutdownConfig,
  pocketfulConfig,
  brokersConfig,
  storageConfig,
  tokensConfig,
  keyringConfig,
  accessConfig,
  scrapeConfig,
  rateLimitConfig,
  auditConfig,
  loggingConfig,
  alertsConfig,
  tokenFeedConfig,
];

/** The vault's whole configuration: each feature's settings, by name, for the code that assembles the vault. */
export class VaultConfig {
  constructor(readonly configuration: Configuration) {}

  get http(): HttpSettings {
    return this.configuration.get(HttpSettings);
  }
  get shutdown(): ShutdownSettings {
    return this.configuration.get(ShutdownSettings);
  }
  get broker(): BrokerSettings {
    return this.configuration.get(BrokerSettings);
  }
  get brokers(): BrokersSettings {
    return this.configuration.get(BrokersSettings);
  }
  get storage(): StorageSettings {
    return this.configuration.get(StorageSettings);
  }
  get keyring(): KeyringSettings {
    return this.configuration.get(KeyringSettings);
  }
  get tokens(): TokenSettings {
    return this.configuration.get(TokenSettings);
  }
  get access(): AccessSettings {
    return this.configuration.get(AccessSettings);
  }
  get scrape(): ScrapeSettings {
    return this.configuration.get(ScrapeSettings);
  }
  get rateLimits(): RateLimitSettings {
    return this.configuration.get(RateLimitSettings);
  }
  get audit(): AuditSettings {
    return this.configuration.get(AuditSettings);
  }
  get logging(): LoggingSettings {
    return this.configuration.get(LoggingSettings);
  }
  get alerts(): AlertSettings {
    return this.configuration.get(AlertSettings);
  }
}

/** Validates every variable at once and reports every problem in one error, naming the variables, never their values. */
export function loadVaultConfig(raw: Record<string, string | undefined>): VaultConfig {
  return new VaultConfig(loadConfiguration(raw, VAULT_CONFIG_SLICES));
}
