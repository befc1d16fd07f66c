import { AuditAction, AuditEntry, AuditEvent } from './audit-log';

/** The one field of an audit entry in the stream. */
export const ENTRY_FIELD = 'e';
const SEPARATOR = '|';

/**
 * An audit entry as one stream field, `action|result|client|account|requestId|remote|fingerprint` ('' for none):
 * Redis appends one field in a fraction of the time seven take, and the token read script writes an entry on every read.
 * No value holds a `|` (codes, client names, account ids, request ids, addresses and fingerprints cannot), and
 * one that somehow did would have it replaced rather than shift the fields after it.
 */
export function packEntry(event: AuditEvent): string {
  return (
    `${clean(event.action)}|${clean(event.result)}|${clean(event.client)}|${clean(event.account)}|` +
    `${clean(event.requestId)}|${clean(event.remote)}|${clean(event.fingerprint)}`
  );
}

function clean(value: string | null): string {
  if (value === null) return '';
  return value.includes(SEPARATOR) ? value.replaceAll(SEPARATOR, '/') : value;
}

/** Everything of a read's entry but the fingerprint, which the read script appends from beside the token. */
export function readEntryPrefix(event: Pick<AuditEvent, 'client' | 'account' | 'requestId' | 'remote'>): string {
  return `read|ok|${clean(event.client)}|${clean(event.account)}|${clean(event.requestId)}|${clean(event.remote)}|`;
}

export function unpackEntry(id: string, flat: string[]): AuditEntry {
  const fields = flat[0] === ENTRY_FIELD ? fromPacked(flat[1] ?? '') : fromNamedFields(flat);
  const orNull = (value: string | undefined) => (value === undefined || value === '' ? null : value);
  return {
    id,
    at: new Date(Number(id.split('-')[0])),
    action: fields.action as AuditAction,
    result: fields.result ?? '',
    client: orNull(fields.client),
    account: orNull(fields.account),
    requestId: orNull(fields.requestId),
    remote: orNull(fields.remote),
    fingerprint: orNull(fields.fingerprint),
  };
}

const NAMES = ['action', 'result', 'client', 'account', 'requestId', 'remote', 'fingerprint'] as const;

function fromPacked(packed: string): Record<string, string> {
  const values = packed.split(SEPARATOR);
  return Object.fromEntries(NAMES.map((name, index) => [name, values[index] ?? '']));
}

/** Entries written before entries were packed: a field per value. */
function fromNamedFields(flat: string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let index = 0; index + 1 < flat.length; index += 2) fields[flat[index]] = flat[index + 1];
  return fields;
}
