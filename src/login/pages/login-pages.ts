import { formatIstForPeople } from '../../clock/ist-time';
import { escapeHtml, page } from '../../http/pages/html';

/** The page of a login that stored its token; `again` for a reload of it, which sent nothing to the broker. */
export function successPage(clientId: string, expiresAt: Date, again?: 'again'): string {
  const title = again ? `Login already completed for ${clientId}` : `Token stored for ${clientId}`;
  const lead = again
    ? 'This login completed earlier and stored the token below; reloading sent nothing to the broker.'
    : 'Strategy services can fetch it from the vault now.';
  return page(
    title,
    `<main class="ok">
<h1>${escapeHtml(title)}</h1>
<p>${lead}</p>
<dl>
<dt>Account</dt><dd id="account">${escapeHtml(clientId)}</dd>
<dt>Expires</dt><dd id="expires">${escapeHtml(formatIstForPeople(expiresAt))}</dd>
</dl>
<p>You can close this page. Reloading it does not log in again.</p>
<a class="button" id="status" href="/">See every account</a>
</main>`,
  );
}
