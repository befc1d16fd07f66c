import { Injectable } from '@nestjs/common';
import { CoordinationStore } from '../coordination/coordination.store';
import { RedisKeys } from '../redis/redis-keys';

/** Why an account is still unknown: the verification's reason (a broker timeout, a 5xx, a check in progress). */
export interface PreopenUnknown {
  clientId: string;
  reason: string;
}

/** The last attempt of a day's pre-open check, as the status page shows it. Account ids only, never a token. */
export interface PreopenResult {
  /** The IST day, `YYYY-MM-DD`, and the check's time of day, `HH:MM`. */
  date: string;
  time: string;
  /** 0 for the check, then each retry. */
  attempt: number;
  checkedAt: Date;
  /** How many stored tokens the check asked the broker about, over every attempt. */
  checked: number;
  live: string[];
  refused: string[];
  /** Expected accounts with no token. */
  missing: string[];
  /** No verdict yet: retried until the last attempt. */
  unknown: PreopenUnknown[];
  /** No retry follows: every verdict is in, or the last retry is done. */
  final: boolean;
}

/** Kept two days: the status page shows yesterday's until today's check runs. */
const KEPT_MS = 48 * 60 * 60_000;

/**
 * The last pre-open check's outcome, shared by the replicas: one value in the coordination store, overwritten by
 * each attempt, so that whichever replica answers the status page shows the same.
 */
@Injectable()
export class PreopenLog {
  constructor(
    private readonly coordination: CoordinationStore,
    private readonly keys: RedisKeys,
  ) {}

  async save(result: PreopenResult): Promise<void> {
    await this.coordination.settle(this.keys.preopenResult(), JSON.stringify({ ...result, checkedAt: result.checkedAt.getTime() }), KEPT_MS);
  }

  async last(): Promise<PreopenResult | null> {
    return parseResult(await this.coordination.read(this.keys.preopenResult()));
  }
}

/** A value another version wrote differently is no result, rather than a failed page. */
function parseResult(text: string | null): PreopenResult | null {
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as PreopenResult & { checkedAt: number };
    const lists = [value.live, value.refused, value.missing, value.unknown];
    if (typeof value.date !== 'string' || typeof value.checkedAt !== 'number' || !lists.every(Array.isArray)) return null;
    return { ...value, checkedAt: new Date(value.checkedAt) };
  } catch {
    return null;
  }
}
