import { formatIstForPeople } from '../../tokens/ist-time';
import { escapeHtml, page } from './html';

const LOGIN_PATH = '/pocketful/login';

export function successPage(clientId: string, expiresAt: Date): string {
  return page(
    `Token stored for ${clientId}`,
    `<main class="ok">
<h1>Token stored for ${escapeHtml(clientId)}</h1>
<p>Strategy services can fetch it from the vault now.</p>
<dl>
<dt>Account</dt><dd id="account">${escapeHtml(clientId)}</dd>
<dt>Expires</dt><dd id="expires">${escapeHtml(formatIstForPeople(expiresAt))}</dd>
</dl>
<p>You can close this page. Reloading it does not log in again.</p>
</main>`,
  );
}

export function failurePage(code: string, message: string): string {
  return page(
    'Login failed',
    `<main class="fail">
<h1>The login did not complete</h1>
<p id="message">${escapeHtml(message)}</p>
<p>Error code: <code id="code">${escapeHtml(code)}</code></p>
<a class="button" href="${LOGIN_PATH}">Log in again</a>
</main>`,
  );
}

export function homePage(): string {
  return page(
    'token-vault',
    `<main>
<h1>token-vault</h1>
<p>Keeps today's Pocketful access tokens for the trading services of this cluster.</p>
<a class="button" href="${LOGIN_PATH}">Log in with Pocketful</a>
</main>`,
  );
}
