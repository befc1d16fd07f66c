import { Injectable, PipeTransform } from '@nestjs/common';
import type { VaultRequest } from '../../access/vault-request';
import { invalidRequest } from '../../errors/vault-error';
import { StoredToken } from '../stored-token';

/** Under the 60 s idle timeout of most proxies and load balancers, so a held read is never cut off on the way. */
export const MAX_WAIT_SECONDS = 55;

const WHOLE_SECONDS = /^\d{1,2}$/;

/** `?wait=N`: a whole number of seconds from 0 to 55, written once; anything else is the caller's mistake. */
export function parseWaitSeconds(raw: unknown): number {
  if (typeof raw === 'string' && WHOLE_SECONDS.test(raw) && Number(raw) <= MAX_WAIT_SECONDS) return Number(raw);
  throw invalidRequest(`wait must be a whole number of seconds from 0 to ${MAX_WAIT_SECONDS}, given once, such as ?wait=30`);
}

/** `?wait=N` as a route's pipe: absent stays absent. */
@Injectable()
export class WaitSecondsPipe implements PipeTransform<unknown, number | undefined> {
  transform(value: unknown): number | undefined {
    return value === undefined ? undefined : parseWaitSeconds(value);
  }
}

/**
 * Token reads that wait, up to `seconds`, for a token to be stored when there is none (`GET
 * /v1/tokens/:clientId?wait=N`). A port, so that the tokens module does not depend on what tells of a store on any
 * replica: the token feed binds it (token-feed/feed-waiting-reads.ts).
 */
export abstract class WaitingReads {
  /**
   * The token, served as any read is (counted once, audited when served); `token_not_found` when the time runs out;
   * null when the caller went away first, and there is no one left to answer. The key is held to what it is allowed
   * now, not when the request came: `unauthorized` as soon as it is removed, `forbidden` as soon as it may no longer
   * read the account, and a token served is audited under the client that holds the key when it is read.
   */
  abstract serve(request: VaultRequest, clientId: string, seconds: number): Promise<StoredToken | null>;
}
