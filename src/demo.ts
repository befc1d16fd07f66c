import 'reflect-metadata';
import { clientFor, newServiceKey } from './access/clients-file';
import { BrokerId } from './brokers/broker-adapter';
import { ZERODHA_SANDBOX_APP } from './brokers/zerodha/zerodha-sandbox';
import { configFromEnvironment, exitOnStartupError, startVault } from './main';
import { VaultConfig } from './vault-config';
import { BROKERS_BESIDES_POCKETFUL } from './brokers/brokers.config';

/** The brokers whose login is on, Pocketful (the default) first. */
function brokersOn(config: VaultConfig): BrokerId[] {
  const others = BROKERS_BESIDES_POCKETFUL.filter((broker) => config.brokers[broker] !== null);
  return config.broker.enabled ? ['pocketful', ...others] : others;
}

/**
 * The whole flow on a machine with no broker account and no Redis: the sandbox stands in for every broker, memory
 * for Redis, and a one-off admin key is made and printed. Any variable set in the environment or .env still wins,
 * so the demo can also be pointed at Redis, or at a broker whose key is set.
 */
async function demo(): Promise<void> {
  const config = configFromEnvironment({ SANDBOX: 'true', TOKEN_STORE: 'memory' });
  const key = newServiceKey();
  await startVault({ config, extraClients: [clientFor('demo', key, ['*'], true)] });
  const base = `http://127.0.0.1:${config.http.port}`;
  const [first, ...rest] = brokersOn(config).map((broker) => `${base}/${broker}/login`);
  const curl = (path: string) => `curl -H "Authorization: Bearer ${key}" ${base}${path}`;
  process.stdout.write(
    [
      '',
      'token-vault demo is running (sandbox brokers, memory store).',
      `  1. Log in:        ${first}`,
      ...rest.map((url) => `                    ${url}`),
      `  2. Demo key:      ${key}   (admin, all accounts; valid until this process stops)`,
      `  3. Fetch a token: ${curl('/v1/tokens/YA0002')}`,
      `     Zerodha's:     ${curl(`/v1/tokens/zerodha/${ZERODHA_SANDBOX_APP.accounts[0]}`)}`,
      `     All accounts:  ${curl('/v1/accounts')}`,
      '',
    ].join('\n') + '\n',
  );
}

demo().catch(exitOnStartupError);
