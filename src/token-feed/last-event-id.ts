import { invalidRequest } from '../errors/vault-error';
import { isEventId } from './feed-event';

/** The Last-Event-ID an EventSource sends when it reconnects: an id this vault gave, or none. */
export function parseLastEventId(header: string | string[] | undefined): string | null {
  if (header === undefined || header === '') return null;
  if (typeof header === 'string' && isEventId(header.trim())) return header.trim();
  throw invalidRequest('Last-Event-ID must be the id of an event this vault sent, such as 1795415712345-0');
}
