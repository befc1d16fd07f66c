import { AlertService } from '../src/alerts/alert.service';
import { BAD_REQUESTS } from './corpus/bad-requests';
import { AlertReceiver } from './support/alert-receiver';
import { FakePocketful } from './support/fake-pocketful';
import { LogCapture } from './support/log-capture';
import { closeAll } from './support/close-all';
import { rawRequest } from './support/raw-request';
import { importToken, readToken } from './support/token-requests';
import { TestRedis } from './support/redis-server';
import { TestVault } from './support/test-vault';
import { VaultFixture } from './support/vault-fixture';

/**
 * One run through every path of the vault, successful and failing, with every log line captured; then a search of
 * those lines, and of every response body that should not carry one, for each secret that was used.
 */
describe('secrets never reach the logs', () => {
  const logs = new LogCapture();
  const secrets: string[] = [];
  const responses: string[] = [];
  let fixture: VaultFixture;
  let redis: TestRedis;
  let broker: FakePocketful;
  let vault: TestVault;
  let receiver: AlertReceiver;

  beforeAll(async () => {
    receiver = await new AlertReceiver().start();
    // The first delivery of each channel fails, so that failures and retries are logged too.
    receiver.failures = [503, 'drop'];
    const slackPath = '/services/T0SECRET/B0SECRET/slackwebhooksecretpath';
    const botToken = '987654:telegramBotTokenSecretValue_0123456789';
    const webhookSecret = 'webhook-signing-secret-0123456789';
    fixture = await VaultFixture.start({
      logs,
      env: {
        LOG_LEVEL: 'trace',
        POCKETFUL_TIMEOUT_MS: '200',
        ALERT_WEBHOOK_URL: `${receiver.url}/hook`,
        ALERT_WEBHOOK_SECRET: webhookSecret,
        SLACK_WEBHOOK_URL: `${receiver.url}${slackPath}`,
        TELEGRAM_BOT_TOKEN: botToken,
        TELEGRAM_CHAT_ID: '-100200300',
        TELEGRAM_API_URL: receiver.url,
        ALERT_ON_STORED: 'true',
        ALERT_RETRY_DELAY: '10ms',
        // The run sends every kind of bad request from one address: no budget may cut it short.
        AUTH_FAILURES_PER_MINUTE: '1000',
        RATE_LIMIT_PER_MINUTE: '100000',
      },
    });
    ({ redis, broker, vault } = fixture);
    secrets.push(fixture.variables.VAULT_ENCRYPTION_KEY, broker.options.appSecret, encodeURIComponent(broker.options.appSecret), ...Object.values(vault.keys));
    secrets.push(slackPath, botToken, webhookSecret);

    const keep = async (response: Response) => {
      responses.push(await response.text());
      return response;
    };
    const login = async (clientId: string) => {
      const { state } = await vault.beginLogin();
      const code = broker.broker.issueCode(clientId);
      secrets.push(state, code);
      return keep(await vault.callback({ code, state, scope: 'orders holdings' }));
    };

    // Logins that work, and the tokens they produce.
    await login('YA0002');
    await login('YA0003');
    // Logins that fail in every way the broker can make them fail.
    broker.tokenReply = { status: 400, body: { error: 'invalid_grant', error_description: 'bad code' } };
    await login('YA0002');
    broker.tokenReply = { status: 500, text: '<html>oops</html>', contentType: 'text/html' };
    await login('YA0002');
    broker.tokenReply = null;
    broker.tokenDelayMs = 500;
    await login('YA0002');
    broker.tokenDelayMs = 0;
    broker.tradingInfoReply = { status: 401, body: { status: 'error', message: 'Request Unauthorised', error_code: 40000, data: {} } };
    await login('YA0002');
    broker.tradingInfoReply = null;
    // A reload of a completed callback, and a code replayed under a new state.
    const { state } = await vault.beginLogin();
    const code = broker.broker.issueCode('YA0002');
    secrets.push(state, code);
    await keep(await vault.callback({ code, state }));
    await keep(await vault.callback({ code, state }));
    const second = await vault.beginLogin();
    secrets.push(second.state);
    await keep(await vault.callback({ code, state: second.state }));

    // Imports, good and refused.
    const imported = broker.broker.mintToken('YA0003');
    const dead = broker.broker.mintToken('YA0002');
    broker.broker.revoke(dead);
    secrets.push(imported, dead);
    for (const accessToken of [imported, dead]) {
      await keep(await importToken(vault, accessToken));
    }
    // Reads with good, wrong and near-miss keys.
    for (const id of ['YA0002', 'YA0003']) secrets.push(await readToken(vault, id, 'ops'));
    const wrongKey = `${vault.keys['strategy-a']}x`;
    secrets.push(wrongKey);
    await keep(await vault.fetch('/v1/tokens/YA0002', { headers: { authorization: `Bearer ${wrongKey}` } }));
    await keep(await vault.fetch('/v1/tokens/YA0003', { as: 'strategy-a' }));
    await keep(await vault.fetch('/v1/accounts', { as: 'ops' }));
    await keep(await vault.fetch('/v1/tokens/YA0003', { as: 'ops', method: 'DELETE' }));
    // Every bad request of the corpus, with the key it is meant to carry.
    const keyFor = { admin: vault.keys.ops, reader: vault.keys['strategy-a'] };
    for (const bad of BAD_REQUESTS) {
      const headers = bad.auth ? { ...bad.headers, authorization: `Bearer ${keyFor[bad.auth]}` } : bad.headers;
      const answer = await rawRequest(vault.url, { ...bad, headers });
      responses.push(answer.text);
    }
    // A token reported dead, and a report of a live one.
    broker.broker.revoke(await readToken(vault, 'YA0002', 'ops'));
    await keep(await vault.fetch('/v1/tokens/YA0002/report-invalid', { as: 'strategy-a', method: 'POST' }));
    await vault.login('YA0003', broker);
    await keep(await vault.fetch('/v1/tokens/YA0003/report-invalid', { as: 'ops', method: 'POST' }));
    await vault.app.get(AlertService).settled();
    // The audit trail, read back in full.
    await keep(await vault.fetch('/v1/audit?limit=500', { as: 'ops' }));
    // A broker that cannot be reached at all: the axios error carries the Basic header and the code.
    const unreachable = await TestVault.start({
      broker,
      logs,
      env: { POCKETFUL_BASE_URL: 'http://127.0.0.1:1', LOG_LEVEL: 'trace' },
      keys: vault.keys,
    });
    try {
      const started = await unreachable.beginLogin();
      const lostCode = broker.broker.issueCode('YA0002');
      secrets.push(started.state, lostCode);
      await keep(await unreachable.callback({ code: lostCode, state: started.state }));
      const pasted = broker.broker.mintToken('YA0002');
      secrets.push(pasted);
      await keep(await importToken(unreachable, pasted));
    } finally {
      await unreachable.close();
    }
    // The store going away and coming back.
    await redis.stop();
    await keep(await vault.fetch('/v1/tokens/YA0002', { as: 'ops' }));
    await keep(await vault.fetch('/health/ready'));
    await redis.restart();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await keep(await vault.fetch('/health/ready'));
    // A whole run of logins, imports, reads and outages: more than a hook's default five seconds on a busy machine.
  }, 60_000);

  afterAll(() => closeAll(() => fixture?.close(), () => receiver?.stop()));

  it('captured the run', () => {
    expect(logs.lines.length).toBeGreaterThan(50);
    expect(logs.text).toMatch(/alert stored:YA0002:\d+ to (webhook|slack|telegram): attempt 1 got HTTP 503/);
    expect(receiver.received.some((request) => request.body.includes('invalid:YA0002'))).toBe(true);
    expect(logs.text).toContain('stored a token for YA0002');
    expect(logs.text).toMatch(/"statusCode":502/);
    expect(secrets.length).toBeGreaterThan(15);
  });

  it('has no token, code, state, app secret, service key or encryption key in any log line', () => {
    expect(logs.leaked(secrets)).toEqual([]);
  });

  it('logs no Authorization header and no query value', () => {
    expect(logs.text).not.toMatch(/authorization":|Bearer |Basic /i);
    expect(logs.text).not.toMatch(/code=[^…&"]/);
    expect(logs.text).not.toMatch(/state=[^…&"]/);
  });

  it('puts no secret in any error answer', () => {
    const leaked = secrets.filter((secret) => responses.some((text) => text.includes(secret)));
    expect(leaked).toEqual([]);
  });
});
