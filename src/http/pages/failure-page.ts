import { escapeHtml, page } from './html';

/** Where a person starts a login: every failure page offers to try again there. */
export const LOGIN_PATH = '/pocketful/login';

/** What a person's browser shows when a page route fails: the message, the stable code, and a way back. */
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
