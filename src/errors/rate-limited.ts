import { VaultError } from './vault-error';

export const rateLimited = (retryAfterSeconds: number, what = 'too many requests') =>
  new VaultError('rate_limited', `${what}; try again in ${retryAfterSeconds} s`, 429);
