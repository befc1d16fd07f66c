import { formatTimeLeft } from './time-left';

describe(formatTimeLeft.name, () => {
  it.each([
    [14 * 3600, '14 h 00 min'],
    [14 * 3600 + 5 * 60 + 59, '14 h 05 min'],
    [3600, '1 h 00 min'],
    [3599, '59 min'],
    [60, '1 min'],
    [59, '59 s'],
    [0, '0 s'],
    [-5, '0 s'],
    [90.9, '1 min'],
  ])('writes %p seconds as %p', (seconds, text) => {
    expect(formatTimeLeft(seconds)).toBe(text);
  });
});
