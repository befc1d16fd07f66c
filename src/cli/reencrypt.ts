import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { InvalidConfigurationError, loadVaultConfig } from '../config/vault-config';
import { readEnvironment } from '../config/read-environment';
import { TokenCipher } from '../crypto/token-cipher';
import { RedisConnection } from '../redis/redis-connection';
import { SystemClock } from '../clock/clock';
import { RedisTokenStore } from '../tokens/redis-token.store';
import { StoredValueError } from '../tokens/stored-value-error';

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
export async function reencryptAll(store: RedisTokenStore, sealingKeyId: string): Promise<ReencryptionReport> {
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

async function main(): Promise<number> {
  Logger.overrideLogger(['error']);
  const config = loadVaultConfig(readEnvironment());
  if (config.store.kind !== 'redis') {
    process.stderr.write('reencrypt works on the redis store (TOKEN_STORE=redis)\n');
    return 1;
  }
  const cipher = new TokenCipher(config.store.encryptionKeys);
  const connection = new RedisConnection(config);
  try {
    await connection.onModuleInit();
    const report = await reencryptAll(new RedisTokenStore(connection, cipher, new SystemClock()), cipher.keyId);
    process.stdout.write(
      `sealing key ${report.sealingKeyId}: ${report.resealed} re-sealed, ${report.current} already current, ${report.skipped} changed meanwhile\n`,
    );
    for (const [keyId, accounts] of Object.entries(report.unreadable)) {
      process.stdout.write(`key ${keyId} cannot open the tokens of ${accounts.join(', ')} (not configured, or the value is damaged): not re-sealed\n`);
    }
    return Object.keys(report.unreadable).length > 0 ? 2 : 0;
  } finally {
    await connection.onApplicationShutdown();
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
