import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeAll } from './support/close-all';
import { FakePocketful } from './support/fake-pocketful';
import { freePort } from './support/free-port';
import { TestRedis } from './support/redis-server';
import { expiryTimeFarFromNow } from './support/test-time';
import { until } from './support/until';
import { ReadmeCheckout, Run, Started } from './readme-checkout';

const README = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
const KEY = /^tvk_[A-Za-z0-9_-]{43}$/;
const PASSWORD = 'correct horse battery staple';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const lines = (run: Run) => run.stdout.split('\n').filter(Boolean);
const newEncryptionKey = () => randomBytes(32).toString('base64');

/** The README's code blocks, each without its fences, as lines. */
const codeBlocks = (): string[][] =>
  README.split(/^```.*$/m)
    .filter((_, index) => index % 2 === 1)
    .map((block) => block.split('\n').filter(Boolean));

/** An example the README shows in a code block: the command after its `$ ` prompt, and the lines it prints. */
function example(command: RegExp): { command: string; prints: string[] } {
  const block = codeBlocks().find((block) => block[0].startsWith('$ ') && command.test(block[0]));
  if (!block) throw new Error(`the README shows no example of ${command}`);
  return { command: block[0].slice(2), prints: block.slice(1) };
}

/**
 * The README's Commands table, each command run as the README writes it, through npm, on a built checkout: what each
 * row says it does, it does. Where another spec covers a command in depth, this one runs the README's invocation and
 * leaves the rest there: clients-cli (every subcommand and refusal), operator-auth (the password at the pages),
 * status-cli (the table and every exit), key-rotation (what re-sealing keeps), browser (the demo's login in a browser).
 * `npm run build` on a fresh clone, and when a command builds first: readme-run.e2e-spec.ts. `npm test` and
 * `npm run bench` are not run from a test (the bench has its smoke test, bench.e2e-spec.ts).
 */
describe('the README’s commands, on a built checkout', () => {
  jest.setTimeout(30_000);
  let demoCheckout: ReadmeCheckout;
  let demo: Started;
  let demoPort: number;

  // The demo starts while the other commands run, and is looked at last.
  beforeAll(async () => {
    demoCheckout = ReadmeCheckout.create({ built: true });
    demoPort = await freePort();
    demo = demoCheckout.start('npm run demo', { PORT: String(demoPort) });
  });

  afterAll(() => demoCheckout?.remove());

  describe('npm start, with the commands that make its .env and keys, and those that ask it', () => {
    let checkout: ReadmeCheckout;
    let redis: TestRedis;
    let broker: FakePocketful;
    let vault: Started;
    let base: string;
    const oldKey = newEncryptionKey();
    const keys: Record<string, string> = {};

    beforeAll(async () => {
      checkout = ReadmeCheckout.create({ built: true });
      [redis, broker] = await Promise.all([TestRedis.start(), new FakePocketful().start()]);
    });

    afterAll(() => closeAll(() => checkout?.remove(), () => broker?.stop(), () => redis?.destroy()));

    it('npm run clients -- add: prints the key once, as the README shows it: the key alone on stdout, the note on stderr', async () => {
      const { command, prints } = example(/npm run (-s )?clients -- add /);
      const run = await checkout.run(command);
      expect(run.code).toBe(0);
      const [key, ...rest] = lines(run);
      expect(key).toMatch(KEY);
      expect(prints[0]).toMatch(/^tvk_/);
      expect(rest).toEqual([]);
      expect(run.stderr.split('\n').filter(Boolean)).toEqual(prints.slice(1));
      expect(readFileSync(checkout.path('clients.json'), 'utf8')).not.toContain(key);
      keys['strategy-a'] = key;
    });

    it('npm run clients -- add NAME --accounts … --admin, and list', async () => {
      const made = await checkout.run(`npm run -s clients -- add ops --accounts '*' --admin`, { VAULT_CLIENTS_FILE: 'clients.json' });
      [keys.ops] = lines(made);
      expect(keys.ops).toMatch(KEY);
      const list = await checkout.run('npm run -s clients -- list', { VAULT_CLIENTS_FILE: 'clients.json' });
      expect(list.stdout).toBe('strategy-a\tYA0002\nops\t*\tadmin\n');
    });

    it('npm run operator-password -- USER: reads the password piped in and prints the ADMIN_AUTH line for .env', async () => {
      const run = await checkout.run('printf %s "$PASSWORD" | npm run -s operator-password -- ops', { PASSWORD });
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^ADMIN_AUTH=basic:ops:scrypt:\S+\n$/);
      expect(run.stdout + run.stderr).not.toContain(PASSWORD);
      checkout.write(
        '.env',
        [
          ...Object.entries(broker.variables).map(([name, value]) => `${name}='${value}'`),
          `PORT=${await freePort()}`,
          `REDIS_URL=${redis.url}`,
          `VAULT_ENCRYPTION_KEY=${oldKey}`,
          'VAULT_CLIENTS_FILE=clients.json',
          'ALLOWED_CLIENT_IDS=YA0002',
          `TOKEN_EXPIRY_TIME=${expiryTimeFarFromNow()}`,
          'LOG_LEVEL=warn',
          run.stdout.trim(),
        ].join('\n'),
      );
    });

    it('npm start: runs the vault with the configuration of .env, which takes the operator password', async () => {
      vault = checkout.start('npm start');
      base = `http://127.0.0.1:${/^PORT=(\d+)$/m.exec(readFileSync(checkout.path('.env'), 'utf8'))![1]}`;
      await until(async () => (await fetch(`${base}/health/ready`)).status === 200, 20_000, 'the vault to be ready').catch((error) => {
        throw new Error(`${(error as Error).message}\n${vault.stdout.slice(-2000)}${vault.stderr.slice(-2000)}`);
      });
      expect((await fetch(`${base}/`, { headers: { authorization: basic('ops', PASSWORD) } })).status).toBe(200);
      expect((await fetch(`${base}/`, { headers: { authorization: basic('ops', 'not the password') } })).status).toBe(401);
    });

    it('npm run status: exits 1 while an expected account has no live token', async () => {
      // VAULT_URL's default comes from PORT in .env.
      const run = await checkout.run('npm run -s status', { VAULT_KEY: keys.ops });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^YA0002\s+Pocketful\s+missing/m);
    });

    it('npm run status: exits 0 once every expected account has one, which the key from npm run clients reads', async () => {
      const operator = { authorization: basic('ops', PASSWORD) };
      const begin = await fetch(`${base}/pocketful/login`, { headers: operator, redirect: 'manual' });
      const location = new URL(begin.headers.get('location')!);
      const cookie = begin.headers.get('set-cookie')!.split(';')[0];
      const query = new URLSearchParams({ code: broker.authorize(location, 'YA0002'), state: location.searchParams.get('state')!, scope: 'orders holdings' });
      expect((await fetch(`${base}/pocketful/callback?${query}`, { headers: { ...operator, cookie } })).status).toBe(200);

      const run = await checkout.run('npm run -s status', { VAULT_KEY: keys.ops });
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^YA0002\s+Pocketful\s+live\s+login/m);
      const read = await fetch(`${base}/v1/tokens/YA0002`, { headers: { authorization: `Bearer ${keys['strategy-a']}` } });
      expect(read.status).toBe(200);
    });

    it('npm run clients -- rotate NAME and remove NAME: the vault takes the new key, and the list loses the name', async () => {
      const rotated = await checkout.run('npm run -s clients -- rotate strategy-a', { VAULT_CLIENTS_FILE: 'clients.json' });
      const [key] = lines(rotated);
      expect(key).toMatch(KEY);
      expect(key).not.toBe(keys['strategy-a']);
      const read = () => fetch(`${base}/v1/tokens/YA0002`, { headers: { authorization: `Bearer ${key}` } });
      await until(async () => (await read()).status === 200, 10_000, 'the vault to take the rotated key');

      expect((await checkout.run('npm run -s clients -- remove strategy-a', { VAULT_CLIENTS_FILE: 'clients.json' })).code).toBe(0);
      const list = await checkout.run('npm run -s clients -- list', { VAULT_CLIENTS_FILE: 'clients.json' });
      expect(list.stdout).toBe('ops\t*\tadmin\n');
    });

    it('npm run reencrypt: re-seals every stored token under the first key of VAULT_ENCRYPTION_KEYS, while the vault serves', async () => {
      const env = { VAULT_ENCRYPTION_KEYS: `k2:${newEncryptionKey()}` };
      const first = await checkout.run('npm run -s reencrypt', env);
      expect(first).toMatchObject({ code: 0, stdout: 'sealing key k2: 1 re-sealed, 0 already current, 0 changed meanwhile\n' });
      // Run again, it finds the token under k2 already: the first run did re-seal it (what else holds: key-rotation).
      const again = await checkout.run('npm run -s reencrypt', env);
      expect(again).toMatchObject({ code: 0, stdout: 'sealing key k2: 0 re-sealed, 1 already current, 0 changed meanwhile\n' });
    });

    it('npm run status: exits 2 when the vault could not be asked', async () => {
      await vault.stop();
      const run = await checkout.run('npm run -s status', { VAULT_KEY: keys.ops });
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('did not answer');
    });
  });

  describe('npm run demo', () => {
    it('prints what the quick start shows: the login URL, a demo key, and a curl line that the demo answers', async () => {
      const [, loginUrl] = await demo.waitFor(/1\. Log in: +(\S+)/);
      const [, key] = await demo.waitFor(/2\. Demo key: +(\S+)/);
      const [, header, url] = await demo.waitFor(/3\. Fetch a token: curl -H "([^"]+)" (\S+)/);
      const base = `http://127.0.0.1:${demoPort}`;
      const shown = codeBlocks().find((block) => block[0].startsWith('token-vault demo is running'))!;
      expect(demo.stdout.replaceAll(key, 'tvk_…').replaceAll(base, 'http://127.0.0.1:5000')).toContain(shown.join('\n'));
      expect(loginUrl).toBe(`${base}/pocketful/login`);
      expect(key).toMatch(KEY);
      expect(header).toBe(`Authorization: Bearer ${key}`);
      expect(url).toBe(`${base}/v1/tokens/YA0002`);
      // The curl line itself: the key is admitted, and no one has logged in yet (the login, and the token it then
      // returns, in a browser: browser.e2e-spec.ts).
      const [name, value] = header.split(': ');
      const answer = await fetch(url, { headers: { [name]: value } });
      expect(answer.status).toBe(404);
      expect(((await answer.json()) as { error: string }).error).toBe('token_not_found');
      // The Commands table's row: the sandbox broker, the memory store, an admin key (/v1/status takes no other), and
      // PORT from the environment winning over the demo's own settings.
      const login = await fetch(loginUrl, { redirect: 'manual' });
      expect(new URL(login.headers.get('location')!).pathname).toBe('/sandbox/oauth2/auth');
      const status = await fetch(`${base}/v1/status`, { headers: { authorization: `Bearer ${key}` } });
      expect(status.status).toBe(200);
      expect(((await status.json()) as { health: { store: { kind: string } } }).health.store.kind).toBe('memory');
    });
  });
});
