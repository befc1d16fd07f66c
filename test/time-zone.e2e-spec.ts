import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const DIST = join(__dirname, '..', 'dist');

/**
 * Expiry and alert times are India's whatever the host's time zone. Jest cannot change the zone of its own
 * process, so each zone gets a Node process of its own, running the built modules.
 */
const PROBE = `
const { tokenExpiry, DailyCutoff } = require(${JSON.stringify(join(DIST, 'tokens', 'daily-cutoff.js'))});
const { dueLead, dueMissingCheck } = require(${JSON.stringify(join(DIST, 'alerts', 'alert-schedule.js'))});
const { formatIst } = require(${JSON.stringify(join(DIST, 'tokens', 'ist-time.js'))});
const at = (text) => new Date(text);
process.stdout.write(JSON.stringify({
  offset: new Date(Date.UTC(2026, 0, 1)).getTimezoneOffset(),
  expiryAt235959: formatIst(tokenExpiry(at('2026-11-23T18:29:59Z'), 86399, DailyCutoff.MIDNIGHT)),
  expiryAt000000: formatIst(tokenExpiry(at('2026-11-23T18:30:00Z'), undefined, DailyCutoff.MIDNIGHT)),
  expiryBefore0600: formatIst(tokenExpiry(at('2026-11-23T00:00:00Z'), 86399, DailyCutoff.parse('06:00'))),
  lead: dueLead(at('2026-11-23T18:30:00Z'), [3600000, 900000], at('2026-11-23T18:20:00Z')),
  mondayCheck: dueMissingCheck([510, 540], at('2026-11-23T03:00:00Z'), 3600000),
  saturdayCheck: dueMissingCheck([510, 540], at('2026-11-28T03:00:00Z'), 3600000),
}));
`;

function probe(zone: string) {
  const run = spawnSync(process.execPath, ['-e', PROBE], { env: { PATH: process.env.PATH ?? '', TZ: zone }, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout);
}

describe('times in India whatever the host time zone', () => {
  const expected = {
    expiryAt235959: '2026-11-24T00:00:00+05:30',
    expiryAt000000: '2026-11-25T00:00:00+05:30',
    expiryBefore0600: '2026-11-23T06:00:00+05:30',
    lead: 900000,
    mondayCheck: { date: '2026-11-23', time: 510, at: '2026-11-23T03:00:00.000Z' },
    saturdayCheck: null,
  };

  it.each([
    ['UTC', 0],
    ['America/New_York', 300],
    ['Pacific/Chatham', -825],
    ['Asia/Kolkata', -330],
  ])('gives the same answers with TZ=%s', (zone, offset) => {
    const { offset: seen, ...answers } = probe(zone);
    expect(seen).toBe(offset);
    expect(answers).toEqual(expected);
  });
});
