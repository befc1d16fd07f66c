import { vaultError } from './vault-error';

/** 429 with the seconds to wait, in the message and in Retry-After. */
export const rateLimited = (retryAfterSeconds: number, what = 'too many requests') =>
  vaultError('rate_limited', `${what}; try again in ${retryAfterSeconds} s`, { 'Retry-After': String(retryAfterSeconds) });
