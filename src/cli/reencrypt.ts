import 'reflect-metadata';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClockModule } from '../clock/clock.module';
import { ConfigurationModule } from '../config/config.module';
import { readEnvironment } from '../config/read-environment';
import { RedisModule } from '../redis/redis.module';
import { StoredValueError } from '../tokens/stored-value-error';
import { TokenStoreModule } from '../tokens/token-store.module';
import { TokenStore } from '../tokens/token.store';
import { InvalidConfigurationError, loadVaultConfig } from '../vault-config';

export interface ReencryptionReport {
  sealingKeyId: string;
  resealed: number;
  current: number;
  /** Replaced or removed by the vault while this ran: sealed under the current key already, or gone. */
  skipped: number;
  /** Accounts whose token names a key that is not configured, by key id. */
  unreadable: Record<string, string[]>;
}

/**
 * Re-seals every stored token under the sealing key (the first of VAULT_ENCRYPTION_KEYS). Safe while replicas
 * serve: each token is rewritten only if it is still the value read, with its expiry kept, so a login that
 * lands meanwhile is never overwritten. Run it after putting a new key first; drop the old key once it reports
 * nothing left under it.
 */
export async function reencryptAll(store: TokenStore, sealingKeyId: string): Promise<ReencryptionReport> {
  const report: ReencryptionReport = { sealingKeyId, resealed: 0, current: 0, skipped: 0, unreadable: {} };
  for await (const clientId of store.storedAccounts()) {
    try {
      const outcome = await store.reseal(clientId);
      if (outcome === 'resealed') report.resealed += 1;
      else if (outcome === 'current') report.current += 1;
      else report.skipped += 1;
    } catch (error) {
      if (!(error instanceof StoredValueError)) throw error;
      (report.unreadable[error.keyId ?? 'unknown'] ??= []).push(clientId);
    }
  }
  return report;
}

/** Only what re-sealing needs: the configuration, the clock, Redis and the token store. */
@Module({})
class ReencryptModule {}

async function main(): Promise<number> {
  Logger.overrideLogger(['error']);
  const config = loadVaultConfig(readEnvironment());
  if (config.storage.kind !== 'redis') {
    process.stderr.write('reencrypt works on the redis store (TOKEN_STORE=redis)\n');
    return 1;
  }
  const app = await NestFactory.createApplicationContext(
    {
      module: ReencryptModule,
      imports: [ConfigurationModule.forRoot(config.configuration), ClockModule.forRoot(), RedisModule.forRoot('redis'), TokenStoreModule.forRoot('redis')],
    },
    { logger: ['error'], abortOnError: false },
  );
  try {
    const report = await reencryptAll(app.get(TokenStore), config.keyring.sealingKey!.id);
    process.stdout.write(
      `sealing key ${report.sealingKeyId}: ${report.resealed} re-sealed, ${report.current} already current, ${report.skipped} changed meanwhile\n`,
    );
    // What could not be done is said on stderr; the exit code 2 says it to a script.
    for (const [keyId, accounts] of Object.entries(report.unreadable)) {
      process.stderr.write(`key ${keyId} cannot open the tokens of ${accounts.join(', ')} (not configured, or the value is damaged): not re-sealed\n`);
    }
    return Object.keys(report.unreadable).length > 0 ? 2 : 0;
  } finally {
    await app.close();
  }
}

if (require.main === module) {
  main().then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      const message =
        error instanceof InvalidConfigurationError
          ? error.message
          : `reencrypt failed: ${(error as { code?: string }).code ?? (error as { name?: string }).name ?? 'error'}`;
      process.stderr.write(`${message}\n`);
      process.exitCode = 1;
    },
  );
}
