import { ManualClock } from '../../test/support/manual-clock';
import { BASE_TIME } from '../../test/support/test-time';
import { OutageLogger, RedisOutageLog } from './redis-outage-log';

class Lines implements OutageLogger {
  readonly lines: string[] = [];
  error(message: string): void {
    this.lines.push(`error: ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn: ${message}`);
  }
  log(message: string): void {
    this.lines.push(`log: ${message}`);
  }
}

describe(RedisOutageLog.name, () => {
  let clock: ManualClock;
  let lines: Lines;
  let outages: RedisOutageLog;

  beforeEach(() => {
    clock = new ManualClock(BASE_TIME);
    lines = new Lines();
    outages = new RedisOutageLog(clock, lines, '127.0.0.1:6379');
  });

  it('writes one line when an outage begins, however many commands fail within 10 s', () => {
    for (let i = 0; i < 5_000; i += 1) {
      outages.failed('ECONNREFUSED');
      clock.advance(1);
    }
    expect(lines.lines).toEqual(['error: Redis at 127.0.0.1:6379 refused the connection (ECONNREFUSED): nothing listens there']);
    expect(outages.active).toBe(true);
  });

  it('writes a line with the count at the first failure 10 s after the last line, then counts afresh', () => {
    outages.failed('ECONNREFUSED');
    for (let i = 0; i < 1_233; i += 1) outages.failed('ECONNREFUSED');
    clock.advance(10_000);
    outages.failed('ECONNREFUSED');
    clock.advance(4_000);
    outages.failed('ECONNRESET');
    clock.advance(6_000);
    outages.failed('ECONNRESET');
    expect(lines.lines).toEqual([
      'error: Redis at 127.0.0.1:6379 refused the connection (ECONNREFUSED): nothing listens there',
      'error: Redis at 127.0.0.1:6379 refused the connection (ECONNREFUSED): nothing listens there; 1,235 commands failed in the last 10 s',
      'error: Redis at 127.0.0.1:6379 dropped the connection (ECONNRESET); 2 commands failed in the last 10 s',
    ]);
  });

  it('counts connection failures without commands as part of the outage, and refusals as failed commands', () => {
    outages.failed('ECONNREFUSED', 0);
    outages.refused();
    outages.refused();
    clock.advance(12_000);
    outages.refused();
    expect(lines.lines).toEqual(['error: Redis at 127.0.0.1:6379 refused the connection (ECONNREFUSED): nothing listens there', 'error: Redis at 127.0.0.1:6379 refused the connection (ECONNREFUSED): nothing listens there; 3 commands failed in the last 12 s']);
  });

  it('ignores refusals outside an outage', () => {
    outages.refused();
    expect(lines.lines).toEqual([]);
    expect(outages.active).toBe(false);
  });

  it('writes one line when Redis answers again, with how long and how many, and nothing after', () => {
    outages.failed('no answer in time');
    for (let i = 0; i < 41; i += 1) outages.failed('no answer in time');
    clock.advance(3_450);
    outages.recovered();
    outages.recovered();
    expect(lines.lines).toEqual(['error: Redis at 127.0.0.1:6379 did not answer in time', 'log: Redis at 127.0.0.1:6379 answers again after 3.5 s; 42 commands failed meanwhile']);
    expect(outages.active).toBe(false);
  });

  it('counts one command as one', () => {
    outages.failed('ECONNREFUSED', 0);
    clock.advance(10_000);
    outages.failed('ECONNREFUSED');
    outages.recovered();
    expect(lines.lines.slice(1)).toEqual(['error: Redis at 127.0.0.1:6379 refused the connection (ECONNREFUSED): nothing listens there; 1 command failed in the last 10 s', 'log: Redis at 127.0.0.1:6379 answers again after 10 s; 1 command failed meanwhile']);
  });

  it('writes nothing when Redis answers outside an outage', () => {
    outages.recovered();
    expect(lines.lines).toEqual([]);
  });

  it('begins a new outage with a line of its own after a recovery', () => {
    outages.failed('ECONNREFUSED');
    outages.recovered();
    clock.advance(1_000);
    outages.failed('READONLY: a read-only replica');
    expect(lines.lines.at(-1)).toBe('error: Redis at 127.0.0.1:6379 cannot serve (READONLY: a read-only replica)');
  });

  it('says when it starts refusing commands, and after how many failures', () => {
    outages.refusing(3, 500);
    outages.refusing(0, 500);
    expect(lines.lines).toEqual([
      'warn: Redis at 127.0.0.1:6379: 3 commands in a row failed; refusing commands at once until it answers again (asked every 500 ms)',
      'warn: Redis at 127.0.0.1:6379: refusing commands at once until it answers again (asked every 500 ms)',
    ]);
  });
});
