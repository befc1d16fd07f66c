// A person's login through the built-in sandbox broker, as a browser makes it: GET /pocketful/login, the broker's
// page it is sent to, the page's form (approve the account), and the callback it is sent back to, with the cookie
// the login set. Each request carries an X-Request-Id (PREFIX-begin, -authorize, -decide, -callback) that the
// vault logs, so the caller can tell which replica answered which step. It prints one line of JSON: the callback's
// status, its error code when it failed, and each step's id and status.
//
//   node sandbox-login.mjs BASE ACCOUNT PREFIX                    (on the host)
//   docker compose exec -T SERVICE node --input-type=module - BASE ACCOUNT PREFIX < sandbox-login.mjs   (in a container)
//
// Plain JavaScript with Node's fetch and nothing else: the image holds no node_modules.
const [base, account, prefix] = process.argv.slice(2);
if (!base || !account || !prefix) {
  process.stderr.write('usage: sandbox-login.mjs BASE ACCOUNT REQUEST_ID_PREFIX\n');
  process.exit(2);
}

const steps = [];
let cookie = '';

async function step(name, url, init = {}) {
  const id = `${prefix}-${name}`;
  const headers = { 'x-request-id': id, ...(cookie && { cookie }), ...init.headers };
  const response = await fetch(url, { ...init, headers, redirect: 'manual' });
  steps.push({ step: name, id, status: response.status });
  return response;
}

function expectRedirect(response, what) {
  const location = response.headers.get('location');
  if (response.status !== 302 || !location) throw new Error(`${what} answered ${response.status}, not a redirect`);
  return new URL(location, base);
}

try {
  const begin = await step('begin', `${base}/pocketful/login`);
  const authorize = expectRedirect(begin, 'GET /pocketful/login');
  // The login's one cookie (name=value), sent back only with the callback, as its Path says.
  cookie = (begin.headers.get('set-cookie') ?? '').split(';')[0];
  const sentCookie = cookie;
  cookie = '';
  const page = await step('authorize', authorize);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`the sandbox's login page answered ${page.status}`);
  const field = (name) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
  const form = new URLSearchParams({ account, decision: 'approve', state: field('state'), scope: field('scope') });
  if (field('code_challenge')) form.set('code_challenge', field('code_challenge'));
  const decided = await step('decide', new URL('/sandbox/oauth2/decide', authorize), { method: 'POST', body: form });
  const callback = expectRedirect(decided, 'POST /sandbox/oauth2/decide');
  cookie = sentCookie;
  const done = await step('callback', callback);
  const text = await done.text();
  const code = done.status === 200 ? null : (/id="code">([^<]*)</.exec(text)?.[1] ?? 'no error code');
  process.stdout.write(`${JSON.stringify({ account, status: done.status, code, steps })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ account, status: 0, code: error.message, steps })}\n`);
}
