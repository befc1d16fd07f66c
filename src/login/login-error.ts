import { vaultError } from '../errors/vault-error';

/** Why a login did not end with a stored token, in words for the person at the browser. */

export const stateMissing = (broker = 'Pocketful') =>
  vaultError('state_missing', `The answer from ${broker} has no state, so it cannot be matched to a login started here.`);

export const stateUnknown = (broker = 'Pocketful') =>
  vaultError('state_unknown', `This login link is unknown or older than ten minutes. Nothing was sent to ${broker}. Start a new login.`);

export const stateReplayed = (broker = 'Pocketful') =>
  vaultError(
    'state_replayed',
    `This login was already completed or is being completed (was the page reloaded?). Nothing was sent to ${broker} again.`,
  );

export const loginStateMismatch = (broker = 'Pocketful') =>
  vaultError(
    'login_state_mismatch',
    'This browser did not begin this login, or has lost its login cookie (was the login opened at another address than ' +
      `the redirect URL, or in a private window?). Nothing was sent to ${broker}, and the login was left as it was.`,
  );

/** A broker that sends no state back (Dhan): without the login cookie, nothing says which login this callback ends. */
export const noLoginInBrowser = (broker: string) =>
  vaultError(
    'login_state_mismatch',
    `This browser has no ${broker} login under way: it did not begin this one, has already completed it (was the page ` +
      'reloaded?), or has lost its login cookie (was the login opened at another address than the redirect URL, or in a ' +
      `private window?). Nothing was sent to ${broker}.`,
  );

export const loginCancelled = (broker = 'Pocketful') => vaultError('login_cancelled', `The login was cancelled at ${broker}. Nothing was stored.`);

export const loginRefused = (detail: string, broker = 'Pocketful') => vaultError('login_refused', `${broker} refused the login: ${detail}. Nothing was stored.`);

export const codeMissing = (broker = 'Pocketful') =>
  vaultError('code_missing', `The answer from ${broker} carries no authorization code. Nothing was stored, and the login was left as it was.`);

export const codeAlreadyUsed = (broker = 'Pocketful') =>
  vaultError(
    'code_already_used',
    `This authorization code was already sent to ${broker} once; sending it again would revoke the token. Start a new login.`,
  );
