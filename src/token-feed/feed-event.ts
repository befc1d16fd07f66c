export type FeedEventType = 'token.stored' | 'token.removed' | 'token.expiring';

export type RemovalReason = 'deleted' | 'invalid' | 'expired';

/**
 * What an event says, as its consumers read it in `data`: the account, times in IST, and never the token. `at` is
 * when the vault saw it happen.
 */
export interface FeedEventBody {
  clientId: string;
  /** The token's expiry; null for a deleted token the vault could not read before it went. */
  expiresAt: string | null;
  at: string;
  /** token.removed: why. */
  reason?: RemovalReason;
}

/** An event to append to the feed: the feed gives it its id. */
export interface FeedEntry {
  type: FeedEventType;
  body: FeedEventBody;
}

/** An event as every replica receives it, with the id that orders it and resumes a stream after it. */
export interface FeedEvent extends FeedEntry {
  /** `<ms>-<seq>`, as a Redis stream id. */
  id: string;
}

const TYPES: ReadonlySet<string> = new Set<FeedEventType>(['token.stored', 'token.removed', 'token.expiring']);

/** The one field a stored event is kept in: its type and body, as JSON. */
export const ENTRY_FIELD = 'e';

export function encodeEntry(entry: FeedEntry): string {
  return JSON.stringify({ type: entry.type, body: entry.body });
}

/** An entry read back, or null for one this version cannot read (written by a newer replica, or damaged). */
export function decodeEntry(id: string, raw: string): FeedEvent | null {
  try {
    const { type, body } = JSON.parse(raw) as { type?: unknown; body?: Partial<FeedEventBody> };
    if (typeof type !== 'string' || !TYPES.has(type) || typeof body?.clientId !== 'string') return null;
    return { id, type: type as FeedEventType, body: body as FeedEventBody };
  } catch {
    return null;
  }
}

const EVENT_ID = /^(\d{1,20})-(\d{1,20})$/;
/** A Redis stream id is two unsigned 64-bit numbers: Redis refuses anything larger, as an error. */
const MOST = 2n ** 64n - 1n;

function partsOf(id: string): [bigint, bigint] | null {
  const match = EVENT_ID.exec(id);
  if (!match) return null;
  const parts: [bigint, bigint] = [BigInt(match[1]), BigInt(match[2])];
  return parts[0] <= MOST && parts[1] <= MOST ? parts : null;
}

/** An id as a stream could have given it, written as Redis writes it (no leading zeros); null for anything else. */
export function parseEventId(text: string): string | null {
  const parts = partsOf(text);
  return parts && `${parts[0]}-${parts[1]}`;
}

/** The smallest id after `id`: where a read that must not include `id` starts. Null: none can follow it. */
export function nextEventId(id: string): string | null {
  const [ms, sequence] = partsOf(id) ?? [0n, 0n];
  if (sequence < MOST) return `${ms}-${sequence + 1n}`;
  return ms < MOST ? `${ms + 1n}-0` : null;
}

/** Orders two event ids as the stream does: by time, then by sequence. */
export function compareEventIds(left: string, right: string): number {
  const [leftMs, leftSequence] = partsOf(left) ?? [0n, 0n];
  const [rightMs, rightSequence] = partsOf(right) ?? [0n, 0n];
  if (leftMs !== rightMs) return leftMs < rightMs ? -1 : 1;
  return leftSequence === rightSequence ? 0 : leftSequence < rightSequence ? -1 : 1;
}
