import 'reflect-metadata';
import { clientFor, newServiceKey } from './access/clients-file';
import { configFromEnvironment, exitOnStartupError, startVault } from './main';

/**
 * The whole flow on a machine with no broker account and no Redis: the sandbox broker stands in for Pocketful,
 * memory for Redis, and a one-off admin key is made and printed. Any variable set in the environment or .env
 * still wins, so the demo can also be pointed at Redis.
 */
async function demo(): Promise<void> {
  const config = configFromEnvironment({ SANDBOX: 'true', TOKEN_STORE: 'memory' });
  const key = newServiceKey();
  await startVault({ config, extraClients: [clientFor('demo', key, ['*'], true)] });
  const base = `http://127.0.0.1:${config.http.port}`;
  process.stdout.write(
    [
      '',
      'token-vault demo is running (sandbox broker, memory store).',
      `  1. Log in:        ${base}/pocketful/login`,
      `  2. Demo key:      ${key}   (admin, all accounts; valid until this process stops)`,
      `  3. Fetch a token: curl -H "Authorization: Bearer ${key}" ${base}/v1/tokens/YA0002`,
      `     All accounts:  curl -H "Authorization: Bearer ${key}" ${base}/v1/accounts`,
      '',
    ].join('\n') + '\n',
  );
}

demo().catch(exitOnStartupError);
