import { DELIVERIES_KEPT, DeliveryRecord } from './alert-delivery-log';
import { MemoryAlertDeliveryLog } from './memory-alert-delivery.log';

const delivery = (n: number): DeliveryRecord => ({
  at: new Date(1_800_000_000_000 + n * 1000),
  channel: n % 2 ? 'slack' : 'webhook',
  type: 'expiring',
  result: 'sent',
  accounts: [`YA${String(n).padStart(4, '0')}`],
  accountCount: 1,
});

describe(MemoryAlertDeliveryLog.name, () => {
  it('answers the newest deliveries first, as many as asked', async () => {
    const log = new MemoryAlertDeliveryLog();
    for (const n of [1, 2, 3]) await log.record(delivery(n));
    expect((await log.latest(2)).map((entry) => entry.accounts[0])).toEqual(['YA0003', 'YA0002']);
    expect(await log.latest(10)).toEqual([delivery(3), delivery(2), delivery(1)]);
  });

  it(`keeps only the newest ${DELIVERIES_KEPT}`, async () => {
    const log = new MemoryAlertDeliveryLog();
    for (let n = 1; n <= DELIVERIES_KEPT + 5; n += 1) await log.record(delivery(n));
    const kept = await log.latest(1_000);
    expect(kept).toHaveLength(DELIVERIES_KEPT);
    expect(kept[0]).toEqual(delivery(DELIVERIES_KEPT + 5));
    expect(kept.at(-1)).toEqual(delivery(6));
  });

  it('hands out copies: a caller changing an answer changes nothing kept', async () => {
    const log = new MemoryAlertDeliveryLog();
    const original = delivery(1);
    await log.record(original);
    original.accounts.push('YA9999');
    (await log.latest(1))[0].accounts.push('YA8888');
    expect((await log.latest(1))[0].accounts).toEqual(['YA0001']);
  });
});
