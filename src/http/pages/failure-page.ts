import { escapeHtml, page } from './html';

/**
 * A broker's login routes (OpenAlgo's `/zerodha/login`, `/zerodha/callback`): a failure on one of them is that
 * broker's login failing, and is tried again at that broker's own login.
 */
const LOGIN_ROUTE = /^\/([a-z]+)\/(?:login|callback)$/;

/** Where a person tries again after a page route failed: its broker's login, or null for a route of no broker. */
export function loginPathOfRoute(route: string | undefined): string | null {
  const broker = route === undefined ? undefined : LOGIN_ROUTE.exec(route)?.[1];
  return broker === undefined ? null : `/${broker}/login`;
}

/**
 * What a person's browser shows when a page route fails: the message, the stable code, and a way back: the login
 * that failed, or the status page (which has every broker's login) after a route of no broker.
 */
export function failurePage(code: string, message: string, loginPath: string | null): string {
  const again = loginPath === null ? '<a class="button" href="/">Open the status page</a>' : `<a class="button" href="${escapeHtml(loginPath)}">Log in again</a>`;
  return page(
    'Login failed',
    `<main class="fail">
<h1>The login did not complete</h1>
<p id="message">${escapeHtml(message)}</p>
<p>Error code: <code id="code">${escapeHtml(code)}</code></p>
${again}
</main>`,
  );
}
