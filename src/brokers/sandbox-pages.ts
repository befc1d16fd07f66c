import { escapeHtml, page } from '../http/pages/html';

/** A stand-in's login page: the broker it stands in for, and the accounts to choose from. */
export interface SandboxLogin {
  /** The broker's name, as people know it (BROKER_NAMES). */
  broker: string;
  accounts: readonly string[];
  /**
   * What the login request carried that the decision needs (the state, a PKCE challenge, Kite's redirect_params),
   * sent on as hidden fields, as a real login server keeps it in its session. Anything but text is left out.
   */
  carried: Readonly<Record<string, unknown>>;
}

/**
 * The page every stand-in shows in place of its broker's login: pick an account, then log in or cancel. The form
 * posts to `decide` beside the login page's own path, each stand-in's route for the choice.
 */
export function sandboxLoginPage(login: SandboxLogin): string {
  const carried = Object.entries(login.carried)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">\n`)
    .join('');
  const choices = login.accounts
    .map(
      (account, index) =>
        `<label><input type="radio" name="account" value="${escapeHtml(account)}"${index === 0 ? ' checked' : ''}> ${escapeHtml(account)}</label><br>`,
    )
    .join('\n');
  return page(
    `Sandbox broker login: ${login.broker}`,
    `<main>
<h1>Sandbox broker: ${escapeHtml(login.broker)}</h1>
<p>This stands in for ${escapeHtml(login.broker)}'s login page. Choose the account to log in as.</p>
<form method="post" action="decide">
${choices}
${carried}<button class="button" id="approve" type="submit" name="decision" value="approve">Log in</button>
<button class="button" id="deny" type="submit" name="decision" value="deny">Cancel</button>
</form>
</main>`,
  );
}

export function sandboxErrorPage(broker: string, problem: string): string {
  return page(
    `Sandbox broker: ${broker}`,
    `<main class="fail"><h1>${escapeHtml(broker)}'s sandbox refused the login</h1><p id="message">${escapeHtml(problem)}</p></main>`,
  );
}

/** The account the person chose on a stand-in's login page, or null when they cancelled (or chose none it has). */
export function chosenAccount(form: Readonly<Record<string, unknown>>, accounts: readonly string[]): string | null {
  const account = form.account;
  return form.decision === 'approve' && typeof account === 'string' && accounts.includes(account) ? account : null;
}
