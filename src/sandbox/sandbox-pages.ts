import { escapeHtml, page } from '../http/pages/html';

/** `challenge`: the authorize request's PKCE challenge, carried to the code as a real server keeps it in its session. */
export function sandboxLoginPage(accounts: readonly string[], state: string, scope: string, challenge?: string): string {
  const carried = challenge ? `<input type="hidden" name="code_challenge" value="${escapeHtml(challenge)}">\n` : '';
  const choices = accounts
    .map(
      (account, index) =>
        `<label><input type="radio" name="account" value="${escapeHtml(account)}"${index === 0 ? ' checked' : ''}> ${escapeHtml(account)}</label><br>`,
    )
    .join('\n');
  return page(
    'Sandbox broker login',
    `<main>
<h1>Sandbox broker</h1>
<p>This stands in for Pocketful's login page. Choose the account to log in as.</p>
<form method="post" action="/sandbox/oauth2/decide">
${choices}
<input type="hidden" name="state" value="${escapeHtml(state)}">
<input type="hidden" name="scope" value="${escapeHtml(scope)}">
${carried}<button class="button" id="approve" type="submit" name="decision" value="approve">Log in</button>
<button class="button" id="deny" type="submit" name="decision" value="deny">Cancel</button>
</form>
</main>`,
  );
}

export function sandboxErrorPage(problem: string): string {
  return page('Sandbox broker', `<main class="fail"><h1>Sandbox broker refused the login</h1><p id="message">${escapeHtml(problem)}</p></main>`);
}
