import { compareEventIds, decodeEntry, encodeEntry, FeedEntry } from './feed-event';
import { parseLastEventId } from './last-event-id';

describe(compareEventIds.name, () => {
  it.each([
    ['1-0', '2-0', -1],
    ['2-0', '1-0', 1],
    ['5-3', '5-3', 0],
    ['5-3', '5-10', -1],
    // By number, not as text: 10 sorts after 9.
    ['10-0', '9-0', 1],
    ['1795415712345-0', '1795415712344-99', 1],
    ['18446744073709551615-0', '18446744073709551614-0', 1],
  ])('orders %s against %s as %d', (left, right, order) => expect(compareEventIds(left, right)).toBe(order));
});

describe('stored entries', () => {
  const entry: FeedEntry = { type: 'token.removed', body: { clientId: 'YA0002', expiresAt: '2026-11-24T00:00:00+05:30', at: '2026-11-23T10:00:00+05:30', reason: 'deleted' } };

  it('read back as they were written, with their id', () => {
    expect(decodeEntry('7-1', encodeEntry(entry))).toEqual({ id: '7-1', ...entry });
  });

  it.each([['not json'], ['{}'], ['{"type":"token.leaked","body":{"clientId":"YA0002"}}'], ['{"type":"token.stored","body":{}}']])(
    'skip %s',
    (raw) => expect(decodeEntry('7-1', raw)).toBeNull(),
  );
});

describe(parseLastEventId.name, () => {
  it('takes an id, and nothing for an absent or empty header', () => {
    expect(parseLastEventId('1795415712345-0')).toBe('1795415712345-0');
    expect(parseLastEventId(undefined)).toBeNull();
    expect(parseLastEventId('')).toBeNull();
  });

  it.each([['abc'], ['12345'], ['1-2-3'], ['-1-0']])('refuses %s with invalid_request', (header) => {
    expect(() => parseLastEventId(header)).toThrow(expect.objectContaining({ code: 'invalid_request', status: 400 }));
  });

  it('refuses the header given twice', () => {
    expect(() => parseLastEventId(['1-0', '2-0'])).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });
});
