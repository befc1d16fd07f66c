import { formatIstForPeople } from '../../clock/ist-time';
import { escapeHtml, page } from '../../http/pages/html';

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
<a class="button" id="status" href="/">See every account</a>
</main>`,
  );
}
