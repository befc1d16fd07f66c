import { dhanExpiryTime } from './dhan-expiry-time';

describe(dhanExpiryTime.name, () => {
  it("reads Dhan's zoneless expiryTime as India's time", () => {
    expect(dhanExpiryTime('2026-03-11T09:15:00')).toEqual(new Date('2026-03-11T09:15:00+05:30'));
    expect(dhanExpiryTime('2026-03-11 09:15:00.123')).toEqual(new Date('2026-03-11T09:15:00.123+05:30'));
  });

  it('takes a zone or an offset as written', () => {
    expect(dhanExpiryTime('2026-03-11T03:45:00Z')).toEqual(new Date('2026-03-11T09:15:00+05:30'));
    expect(dhanExpiryTime('2026-03-11T09:15:00+05:30')).toEqual(new Date('2026-03-11T03:45:00Z'));
  });

  it.each([undefined, 123, '', 'tomorrow', '2026-03-11', '11/03/2026 09:15', '2026-02-30T09:15:00', '2026-03-11T24:00:00'])(
    'reads %p as no expiry',
    (text) => {
      expect(dhanExpiryTime(text)).toBeUndefined();
    },
  );
});
