import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BASE_DAY, BASE_TIME, istIso } from './support/test-time';

const DIST = join(__dirname, '..', 'build');

const DAY = BASE_DAY;
const MONDAY = BASE_DAY.next('Monday');
const JANUARY_1 = Date.UTC(BASE_TIME.getUTCFullYear(), 0, 1);
const instants = {
  at235959: DAY.at('23:59:59'),
  atMidnight: DAY.plus(1).at('00:00'),
  at0530: DAY.at('05:30'),
  at2350: DAY.at('23:50'),
  monday0830: MONDAY.at('08:30'),
  saturday0830: MONDAY.plus(5).at('08:30'),
};

/**
 * Expiry and alert times are India's whatever the host's time zone. Jest cannot change the zone of its own
 * process, so each zone gets a Node process of its own, running the built modules on instants from the base.
 */
const PROBE = `
const { DailyCutoff } = require(${JSON.stringify(join(DIST, 'clock', 'daily-cutoff.js'))});
const { dueLead, dueMissingCheck } = require(${JSON.stringify(join(DIST, 'alerts', 'alert-schedule.js'))});
const { formatIst } = require(${JSON.stringify(join(DIST, 'clock', 'ist-time.js'))});
const given = JSON.parse(process.env.PROBE_INSTANTS);
const at = (name) => new Date(given[name]);
process.stdout.write(JSON.stringify({
  offset: new Date(Number(process.env.PROBE_JANUARY_1)).getTimezoneOffset(),
  expiryAt235959: formatIst(DailyCutoff.MIDNIGHT.nextAfter(at('at235959'))),
  expiryAt000000: formatIst(DailyCutoff.MIDNIGHT.nextAfter(at('atMidnight'))),
  expiryBefore0600: formatIst(DailyCutoff.parse('06:00').nextAfter(at('at0530'))),
  lead: dueLead(at('atMidnight'), [3600000, 900000], at('at2350')),
  mondayCheck: dueMissingCheck([510, 540], at('monday0830'), 3600000),
  saturdayCheck: dueMissingCheck([510, 540], at('saturday0830'), 3600000),
}));
`;

function probe(zone: string) {
  const run = spawnSync(process.execPath, ['-e', PROBE], {
    env: { PATH: process.env.PATH ?? '', TZ: zone, PROBE_INSTANTS: JSON.stringify(instants), PROBE_JANUARY_1: String(JANUARY_1) },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout);
}

describe('times in India whatever the host time zone', () => {
  const expected = {
    expiryAt235959: istIso(DAY.plus(1).at('00:00')),
    expiryAt000000: istIso(DAY.plus(2).at('00:00')),
    expiryBefore0600: istIso(DAY.at('06:00')),
    lead: 900000,
    mondayCheck: { date: MONDAY.toString(), time: 510, at: MONDAY.at('08:30').toISOString() },
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
