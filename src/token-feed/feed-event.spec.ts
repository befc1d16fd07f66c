import { compareEventIds, decodeEntry, encodeEntry, FeedEntry, nextEventId } from './feed-event';
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

describe(nextEventId.name, () => {
  it.each([
    ['5-3', '5-4'],
    ['5-18446744073709551615', '6-0'],
    ['0-0', '0-1'],
  ])('follows %s with %s', (id, next) => expect(nextEventId(id)).toBe(next));

  it('has nothing after the largest id a stream can hold', () => {
    expect(nextEventId('18446744073709551615-18446744073709551615')).toBeNull();
  });
});

describe(parseLastEventId.name, () => {
  it('takes an id, written as Redis writes it, and nothing for an absent or empty header', () => {
    expect(parseLastEventId('1795415712345-0')).toBe('1795415712345-0');
    expect(parseLastEventId(' 0001795415712345-007 ')).toBe('1795415712345-7');
    expect(parseLastEventId('18446744073709551615-18446744073709551615')).toBe('18446744073709551615-18446744073709551615');
    expect(parseLastEventId(undefined)).toBeNull();
    expect(parseLastEventId('')).toBeNull();
  });

  it.each([['abc'], ['12345'], ['1-2-3'], ['-1-0'], ['99999999999999999999-0'], ['1-18446744073709551616'], ['1'.repeat(200) + '-0'], ['1e3-0']])(
    'refuses %s with invalid_last_event_id',
    (header) => {
      expect(() => parseLastEventId(header)).toThrow(expect.objectContaining({ code: 'invalid_last_event_id', status: 400 }));
    },
  );

  it('refuses the header given twice', () => {
    expect(() => parseLastEventId(['1-0', '2-0'])).toThrow(expect.objectContaining({ code: 'invalid_last_event_id' }));
  });
});
