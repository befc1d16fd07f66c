import { ManualClock } from '../../test/support/manual-clock';
import { AuditSettings } from './audit.config';
import { AuditEvent, AuditPage, AuditQuery } from './audit-log';
import { MemoryAuditLog } from './memory-audit.log';

const START = '2025-03-14T10:00:00+05:30';

const read = (requestId: string): AuditEvent => ({
  action: 'read',
  result: 'ok',
  client: 'strategy-a',
  account: 'YA0002',
  requestId,
  remote: '10.0.0.1',
  fingerprint: 'Qm3v0x9Yc2aLw8Tr',
});
const refusal = (requestId: string): AuditEvent => ({
  action: 'refused',
  result: 'unauthorized',
  client: null,
  account: null,
  requestId,
  remote: '203.0.113.7',
  fingerprint: null,
});

describe(MemoryAuditLog.name, () => {
  let clock: ManualClock;
  let log: MemoryAuditLog;

  const start = (maxLength = 100) => {
    clock = new ManualClock(START);
    log = new MemoryAuditLog(clock, new AuditSettings({ maxLength, failClosed: true }));
  };

  /** Every page of a query, `limit` at a time, following `next` to the end. */
  async function pages(query: Omit<AuditQuery, 'before'>): Promise<AuditPage[]> {
    const found: AuditPage[] = [];
    let before: string | undefined;
    do {
      const page = await log.page({ ...query, before });
      found.push(page);
      before = page.next ?? undefined;
    } while (before !== undefined && found.length < 1000);
    return found;
  }
  const requestIds = (list: AuditPage[]) => list.flatMap((page) => page.entries.map((entry) => entry.requestId));

  beforeEach(() => start());

  it('keeps refusals apart: a flood of them never pushes out what was done', async () => {
    for (let index = 0; index < 10; index += 1) await log.append(read(`read-${index}`));
    for (let index = 0; index < 500; index += 1) await log.appendRefusal(refusal(`flood-${index}`));

    const done = await log.page({ kind: 'done', limit: 500 });
    expect(done.entries.map((entry) => entry.requestId)).toEqual(Array.from({ length: 10 }, (_, index) => `read-${9 - index}`));
    const refused = await log.page({ kind: 'refused', limit: 500 });
    // Bounded on their own: the newest hundred, newest first.
    expect(refused.entries.map((entry) => entry.requestId)).toEqual(Array.from({ length: 100 }, (_, index) => `flood-${499 - index}`));
  });

  it('merges both lists newest first, an action before a refusal of the same id, and pages through without skipping or repeating', async () => {
    // The clock stands still: both lists make the same ids (`<ms>-0`, `<ms>-1`, …), as two Redis streams can.
    for (let index = 0; index < 6; index += 1) {
      await log.append(read(`read-${index}`));
      await log.appendRefusal(refusal(`refused-${index}`));
      if (index % 2 === 1) clock.advance(1);
    }
    const all = (await log.page({ limit: 500 })).entries;
    expect(all.map((entry) => entry.requestId)).toEqual(
      [5, 4, 3, 2, 1, 0].flatMap((index) => [`read-${index}`, `refused-${index}`]),
    );
    expect(all[0].id).toBe(all[1].id.replace(/-r$/, ''));
    expect(new Set(all.map((entry) => entry.id)).size).toBe(all.length);

    for (const limit of [1, 2, 3, 5, 7]) {
      const paged = await pages({ limit });
      expect(requestIds(paged)).toEqual(all.map((entry) => entry.requestId));
      expect(paged.at(-1)!.next).toBeNull();
    }
  });

  it('pages on from a cursor whose entry was trimmed away, and ignores what was appended since', async () => {
    for (let index = 0; index < 5; index += 1) {
      await log.append(read(`read-${index}`));
      clock.advance(1);
    }
    const first = await log.page({ limit: 2 });
    expect(first.entries.map((entry) => entry.requestId)).toEqual(['read-4', 'read-3']);
    for (let index = 5; index < 102; index += 1) await log.append(read(`read-${index}`));
    // read-0 and read-1 have been dropped meanwhile (a hundred kept): read-2 is all that is left after the cursor.
    const second = await log.page({ limit: 2, before: first.next! });
    expect(second.entries.map((entry) => entry.requestId)).toEqual(['read-2']);
    expect(second.next).toBeNull();
  });

  it('keeps ids in order when the clock goes back', async () => {
    await log.append(read('first'));
    clock.advance(-60_000);
    await log.append(read('second'));
    const { entries } = await log.page({ limit: 10 });
    expect(entries.map((entry) => entry.requestId)).toEqual(['second', 'first']);
    expect(entries[0].id).toBe(`${new Date(START).getTime()}-1`);
  });

  it('filters by action and kind, and by time', async () => {
    await log.append(read('read-1'));
    await log.append({ ...read('delete-1'), action: 'delete' });
    await log.appendRefusal({ ...read('failed-read'), result: 'token_not_found', fingerprint: null });
    await log.appendRefusal(refusal('refused-1'));
    clock.advance(10_000);
    await log.appendRefusal(refusal('refused-2'));

    const ids = async (query: Omit<AuditQuery, 'limit'>) => requestIds([await log.page({ ...query, limit: 100 })]);
    expect(await ids({ actions: ['refused'] })).toEqual(['refused-2', 'refused-1']);
    expect(await ids({ actions: ['read'] })).toEqual(['read-1', 'failed-read']);
    expect(await ids({ kind: 'done' })).toEqual(['delete-1', 'read-1']);
    expect(await ids({ kind: 'refused', actions: ['read'] })).toEqual(['failed-read']);
    expect(await ids({ until: new Date(START) })).toEqual(['delete-1', 'refused-1', 'read-1', 'failed-read']);
    expect(await ids({ since: new Date(new Date(START).getTime() + 1) })).toEqual(['refused-2']);
  });

  it('stops a sparse filter after its budget with a cursor, and the cursor goes on to the rest', async () => {
    start(10_000);
    await log.append({ ...read('old-delete'), action: 'delete' });
    clock.advance(1);
    for (let index = 0; index < 6_000; index += 1) await log.appendRefusal(refusal(`flood-${index}`));

    const found = await pages({ actions: ['delete'], limit: 10 });
    expect(found.length).toBeGreaterThan(1);
    expect(found[0].entries).toEqual([]);
    expect(found[0].next).not.toBeNull();
    expect(requestIds(found)).toEqual(['old-delete']);
  });
});
