import { canonical } from './account';
import { ServerSentEventsReader, ServerSentMessage } from './server-sent-events';
import { instantOf } from './vault-answers';
import { VaultError } from './vault-error';
import { OpenAnswer, VaultHttp } from './vault-http';

export type TokenEventType = 'token.stored' | 'token.removed' | 'token.expiring';

/** Something that happened to an account's token. Never the token itself: read it with `token()`. */
export interface TokenEvent {
  /** `token.stored` (a login or an import: a new token), `token.removed`, `token.expiring` (an expiry alert fell due). */
  type: TokenEventType;
  /** The vault's id of the event: keep it to resume after it, `events({ lastEventId })`. */
  id: string;
  /** The account, as the vault writes it: `YA0002` for the default broker's, `zerodha:AB1234` for another's. */
  clientId: string;
  /** The token's expiry; null for a deleted token the vault could not read before it went. */
  expiresAt: Date | null;
  /** When the vault saw it happen. */
  at: Date;
  /** `token.removed`: `deleted`, `invalid` (the broker refused it) or `expired`. */
  reason?: 'deleted' | 'invalid' | 'expired';
}

/**
 * The vault could not replay what came after the last event this stream had: events may have been missed. Read
 * again the tokens you hold (the client has already dropped its cached ones). Live events follow.
 */
export interface ResetEvent {
  type: 'reset';
}

export type VaultEvent = TokenEvent | ResetEvent;

export interface EventsOptions {
  /** Only these accounts' events (as the vault writes them: `YA0002`, `zerodha:AB1234`); every one the key may read when absent. */
  accounts?: readonly string[];
  /** Resume after this event id (one a previous run kept), instead of starting with what happens from now on. */
  lastEventId?: string;
  /** Ends the stream, as `close()` does. */
  signal?: AbortSignal;
}

/** What the stream tells the client's cache, before the event is handed on. */
export interface CacheHooks {
  dropAccount(clientId: string): void;
  dropAll(): void;
}

export interface StreamSettings {
  /** A stream that brings nothing (not even the vault's heartbeat) for this long is taken as dead, and opened again. */
  idleTimeoutMs: number;
  /** The longest pause before opening again, however often it failed. */
  longestReconnectMs: number;
}

const TYPES: ReadonlySet<string> = new Set<TokenEventType>(['token.stored', 'token.removed', 'token.expiring']);
const REASONS: ReadonlySet<string> = new Set(['deleted', 'invalid', 'expired']);
/** Until the vault says otherwise (`retry:`), as an EventSource waits. */
const DEFAULT_RECONNECT_MS = 3000;
/** A `retry: 0` must not make a loop of failed attempts. */
const LEAST_RECONNECT_MS = 50;
const EVENT_ID = /^(\d{1,20})-(\d{1,20})$/;

/** Orders the vault's event ids (`<ms>-<seq>`) as the vault does; null when either is not one. */
function compareIds(left: string, right: string): number | null {
  const a = EVENT_ID.exec(left);
  const b = EVENT_ID.exec(right);
  if (!a || !b) return null;
  for (const index of [1, 2]) {
    const [x, y] = [BigInt(a[index]), BigInt(b[index])];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * `GET /v1/events` as an async iterator that does not end while the vault can be reached: when the stream drops (a
 * replica restarting, a proxy cutting it, silence past `idleTimeoutMs`), it is opened again with `Last-Event-ID`,
 * after the vault's `retry:` pause (longer after each failed attempt, and as long as a 429's Retry-After), and the
 * vault replays what came in between. An event it already handed out is never handed out again. When the vault
 * cannot replay, it says `reset`, and so does the iterator. It ends with `close()`, `break`, the signal, or a
 * VaultError the vault will not change its mind on (a key it refuses, 4xx).
 */
export class TokenEvents implements AsyncIterable<VaultEvent> {
  #lastEventId: string | null;
  private readonly accounts: ReadonlySet<string> | null;
  private readonly stop = new AbortController();
  /** A private field: printing the stream never reaches the request in flight, which holds the key. */
  #current: OpenAnswer | null = null;
  private reconnectMs = DEFAULT_RECONNECT_MS;
  private iterated = false;

  constructor(
    private readonly http: VaultHttp,
    private readonly cache: CacheHooks,
    private readonly settings: StreamSettings,
    options: EventsOptions = {},
  ) {
    if (options.accounts !== undefined) {
      if (!Array.isArray(options.accounts) || options.accounts.length === 0) {
        throw new TypeError('accounts must list at least one account, or be left out for every account the key may read');
      }
      this.accounts = new Set(options.accounts.map((account) => canonical(account, 'each of accounts')));
    } else {
      this.accounts = null;
    }
    if (options.lastEventId !== undefined && !EVENT_ID.test(options.lastEventId)) {
      throw new TypeError('lastEventId must be an event id the vault gave, such as 1795415712345-0');
    }
    this.#lastEventId = options.lastEventId ?? null;
    if (options.signal?.aborted) this.close();
    else options.signal?.addEventListener('abort', () => this.close(), { once: true });
  }

  /** The id of the last event the stream brought (of any account): where a new `events({ lastEventId })` resumes. */
  get lastEventId(): string | null {
    return this.#lastEventId;
  }

  /** Ends the stream: a pending `next()` ends the iteration, and the connection is closed. */
  close(): void {
    if (this.stop.signal.aborted) return;
    this.stop.abort();
    this.#current?.close();
  }

  [Symbol.asyncIterator](): AsyncIterator<VaultEvent> {
    if (this.iterated) throw new TypeError('events() can be iterated once; call events() again for another stream');
    this.iterated = true;
    return this.run();
  }

  private get closed(): boolean {
    return this.stop.signal.aborted;
  }

  private async *run(): AsyncGenerator<VaultEvent, void, undefined> {
    try {
      let failures = 0;
      while (!this.closed) {
        let answer: OpenAnswer;
        try {
          answer = await this.open();
        } catch (error) {
          if (this.closed) return;
          if (!(error instanceof VaultError) || !error.temporary) throw error;
          failures += 1;
          await this.pause(Math.max(this.backoff(failures), (error.retryAfter ?? 0) * 1000));
          continue;
        }
        failures = 0;
        yield* this.read(answer);
        if (this.closed) return;
        await this.pause(this.reconnectMs);
      }
    } finally {
      this.close();
    }
  }

  private async open(): Promise<OpenAnswer> {
    const headers: Record<string, string> = { 'cache-control': 'no-store' };
    if (this.#lastEventId !== null) headers['last-event-id'] = this.#lastEventId;
    const answer = await this.http.open('/v1/events', 'text/event-stream', headers, this.stop.signal);
    this.#current = answer;
    // A close() between the answer and this turn: its read then ends at once.
    if (this.closed) answer.close();
    return answer;
  }

  /** One connection's events, until it ends, drops or falls silent. */
  private async *read(answer: OpenAnswer): AsyncGenerator<VaultEvent, void, undefined> {
    const reader = new ServerSentEventsReader();
    const body = answer.body;
    body.setEncoding('utf8');
    let idle: NodeJS.Timeout | undefined;
    const watch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => answer.close(), this.settings.idleTimeoutMs);
    };
    watch();
    try {
      for await (const text of body as AsyncIterable<string>) {
        watch();
        for (const message of reader.push(text)) {
          const event = this.taken(message);
          if (event) yield event;
          if (this.closed) return;
        }
        if (reader.retryMs !== null) this.reconnectMs = Math.max(LEAST_RECONNECT_MS, reader.retryMs);
      }
    } catch {
      // The connection dropped: opened again by the caller, after what it last had.
    } finally {
      clearTimeout(idle);
      answer.close();
      if (this.#current === answer) this.#current = null;
    }
  }

  /** What a message means to the caller, the cache told first; null for what it need not see. */
  private taken(message: ServerSentMessage): VaultEvent | null {
    if (message.event === 'reset') {
      this.cache.dropAll();
      return { type: 'reset' };
    }
    if (message.id !== null) {
      // A replay that reaches back over what was handed out already (a replica's feed behind another's): not again.
      if (this.#lastEventId !== null && (compareIds(message.id, this.#lastEventId) ?? 1) <= 0) return null;
      this.#lastEventId = message.id;
    }
    const event = eventOf(message);
    if (event === null) return null;
    if (event.type !== 'token.expiring') this.cache.dropAccount(event.clientId);
    return this.accounts === null || this.accounts.has(event.clientId) ? event : null;
  }

  /** After failures in a row: the vault's pause, doubled each time, up to the longest. */
  private backoff(failures: number): number {
    return Math.min(this.reconnectMs * 2 ** (failures - 1), Math.max(this.reconnectMs, this.settings.longestReconnectMs));
  }

  private pause(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.stop.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.stop.signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** A token event of a type this client knows, its body as the vault writes it; null for anything else. */
function eventOf({ event, data, id }: ServerSentMessage): TokenEvent | null {
  if (!TYPES.has(event) || id === null) return null;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(data) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (typeof body !== 'object' || body === null || typeof body.clientId !== 'string') return null;
  const at = instantOf(body.at);
  const expiresAt = body.expiresAt === null ? null : instantOf(body.expiresAt);
  if (at === null || (expiresAt === null && body.expiresAt !== null)) return null;
  const taken: TokenEvent = { type: event as TokenEventType, id, clientId: body.clientId, expiresAt, at };
  if (typeof body.reason === 'string' && REASONS.has(body.reason)) taken.reason = body.reason as TokenEvent['reason'];
  return taken;
}
