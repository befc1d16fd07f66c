import { compareNewestFirst, kindsFor, positionOf, streamEndAfter, TRAIL_ID, trailId } from './trail-position';

describe('places in the merged trail', () => {
  it('tell a refusal from what was done by its mark, and read an unmarked id as done', () => {
    expect(trailId('1795415712345-7', 'refused')).toBe('1795415712345-7-r');
    expect(trailId('1795415712345-7', 'done')).toBe('1795415712345-7');
    expect(positionOf('1795415712345-7-r')).toEqual({ ms: 1795415712345, seq: 7, kind: 'refused' });
    expect(positionOf('1795415712345-7')).toEqual({ ms: 1795415712345, seq: 7, kind: 'done' });
    for (const id of ['1795415712345-7', '1795415712345-7-r']) expect(TRAIL_ID.test(id)).toBe(true);
    for (const id of ['1795415712345-7-x', '-r', '1795415712345', '1795415712345-7-r-r']) expect(TRAIL_ID.test(id)).toBe(false);
  });

  it('order by time, then sequence, then what was done before what was refused', () => {
    const order = ['2000-0', '1000-1-r', '1000-1', '1000-0', '1000-0-r', '999-5-r'];
    const sorted = [...order].sort((a, b) => compareNewestFirst(positionOf(b), positionOf(a)));
    expect(sorted).toEqual(['2000-0', '1000-1', '1000-1-r', '1000-0', '1000-0-r', '999-5-r']);
    expect(compareNewestFirst(positionOf('1000-1-r'), positionOf('1000-1-r'))).toBe(0);
  });

  it('resume each stream just after the cursor: the refusal of the same id is still to come after a done entry', () => {
    expect(streamEndAfter(positionOf('1000-1'), 'done')).toBe('(1000-1');
    expect(streamEndAfter(positionOf('1000-1'), 'refused')).toBe('1000-1');
    expect(streamEndAfter(positionOf('1000-1-r'), 'done')).toBe('(1000-1');
    expect(streamEndAfter(positionOf('1000-1-r'), 'refused')).toBe('(1000-1');
  });

  it('skip the stream of what was done only when refusals alone are asked for', () => {
    expect(kindsFor({})).toEqual(['done', 'refused']);
    expect(kindsFor({ actions: ['refused'] })).toEqual(['refused']);
    // A failed read is kept with the refusals, so a query for reads looks in both.
    expect(kindsFor({ actions: ['read'] })).toEqual(['done', 'refused']);
    expect(kindsFor({ kind: 'done' })).toEqual(['done']);
    expect(kindsFor({ kind: 'done', actions: ['refused'] })).toEqual([]);
  });
});
