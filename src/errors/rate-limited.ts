import { VaultError } from './vault-error';

/** 429 with the seconds to wait, in the message and in Retry-After. */
export const rateLimited = (retryAfterSeconds: number, what = 'too many requests') =>
  new VaultError('rate_limited', `${what}; try again in ${retryAfterSeconds} s`, 429, { 'Retry-After': String(retryAfterSeconds) });
