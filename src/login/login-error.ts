import { VaultError } from '../errors/vault-error';

/** Why a login did not end with a stored token, in words for the person at the browser. */
export class LoginError extends VaultError {
  constructor(code: string, message: string, status: number) {
    super(code, message, status);
    this.name = 'LoginError';
  }
}

export const stateMissing = () =>
  new LoginError('state_missing', 'The answer from Pocketful has no state, so it cannot be matched to a login started here.', 400);

export const stateUnknown = () =>
  new LoginError(
    'state_unknown',
    'This login link is unknown or older than ten minutes. Nothing was sent to Pocketful. Start a new login.',
    400,
  );

export const stateReplayed = () =>
  new LoginError(
    'state_replayed',
    'This login was already completed or is being completed (was the page reloaded?). Nothing was sent to Pocketful again.',
    409,
  );

export const loginStateMismatch = () =>
  new LoginError(
    'login_state_mismatch',
    'This browser did not begin this login, or has lost its login cookie (was the login opened at another address than ' +
      'the redirect URL, or in a private window?). Nothing was sent to Pocketful, and the login was left as it was.',
    400,
  );

export const loginCancelled = () =>
  new LoginError('login_cancelled', 'The login was cancelled at Pocketful. Nothing was stored.', 400);

export const loginRefused = (detail: string) =>
  new LoginError('login_refused', `Pocketful refused the login: ${detail}. Nothing was stored.`, 400);

export const codeMissing = () =>
  new LoginError(
    'code_missing',
    'The answer from Pocketful carries no authorization code. Nothing was stored, and the login was left as it was.',
    400,
  );

export const codeAlreadyUsed = () =>
  new LoginError(
    'code_already_used',
    'This authorization code was already sent to Pocketful once; sending it again would revoke the token. Start a new login.',
    409,
  );
