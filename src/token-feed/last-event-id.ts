import { vaultError } from '../errors/vault-error';
import { parseEventId } from './feed-event';

/**
 * The Last-Event-ID an EventSource sends when it reconnects: an id as this vault gives them, or none. Anything else
 * (not two numbers, or numbers no stream id can hold) is the caller's mistake, answered 400 before the store is asked.
 */
export function parseLastEventId(header: string | string[] | undefined): string | null {
  if (header === undefined || header === '') return null;
  const id = typeof header === 'string' ? parseEventId(header.trim()) : null;
  if (id !== null) return id;
  throw vaultError('invalid_last_event_id', 'Last-Event-ID must be the id of an event this vault sent, such as 1795415712345-0');
}
