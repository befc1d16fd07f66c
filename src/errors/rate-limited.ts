import { vaultError } from './vault-error';

/** A wait in milliseconds as Retry-After says it: whole seconds, rounded up, at least one. */
export const retryAfterOf = (waitMs: number) => Math.max(1, Math.ceil(waitMs / 1000));

/** 429 with the seconds to wait, in the message and in Retry-After. */
export const rateLimited = (retryAfterSeconds: number, what = 'too many requests') =>
  vaultError('rate_limited', `${what}; try again in ${retryAfterSeconds} s`, { 'Retry-After': String(retryAfterSeconds) });
