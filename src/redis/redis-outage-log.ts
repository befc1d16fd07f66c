import { Clock } from '../clock/clock';
import { failurePhrase } from './redis-failure';

/** The few lines an outage is worth. */
export interface OutageLogger {
  error(message: string): void;
  warn(message: string): void;
  log(message: string): void;
}

export const OUTAGE_LOG_EVERY_MS = 10_000;

interface Outage {
  since: number;
  reason: string;
  /** Failed commands since the last line, and since the outage began. */
  sinceLine: number;
  total: number;
  lineAt: number;
}

const commands = (n: number) => `${n.toLocaleString('en-US')} command${n === 1 ? '' : 's'}`;
const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/**
 * An outage in a few lines, however many commands fail in it: one when it begins, then at most one every 10 s
 * with the count since the last (the first failure after the interval writes it, so a quiet outage writes none),
 * and one when Redis answers again. At market open a dead Redis would otherwise write a line per read, thousands a
 * second, drowning what else the log says.
 */
export class RedisOutageLog {
  private outage: Outage | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly logger: OutageLogger,
    /** Where Redis was looked for, as StorageSettings.address writes it. */
    private readonly address: string,
    private readonly everyMs = OUTAGE_LOG_EVERY_MS,
  ) {}

  get active(): boolean {
    return this.outage !== null;
  }

  /** `failures` commands failed (0: the connection failed, no command with it) for `reason`. */
  failed(reason: string, failures = 1): void {
    const now = this.clock.now().getTime();
    const outage = this.outage;
    if (outage === null) {
      this.outage = { since: now, reason, sinceLine: failures, total: failures, lineAt: now };
      this.logger.error(`Redis at ${this.address} ${failurePhrase(reason)}`);
      return;
    }
    outage.reason = reason;
    outage.sinceLine += failures;
    outage.total += failures;
    const elapsed = now - outage.lineAt;
    if (elapsed < this.everyMs && elapsed >= 0) return;
    this.logger.error(`Redis at ${this.address} ${failurePhrase(reason)}; ${commands(outage.sinceLine)} failed in the last ${seconds(elapsed)}`);
    outage.sinceLine = 0;
    outage.lineAt = now;
  }

  /** The breaker opened, after `failures` in a row (0: at once, for a replica): commands are refused without being sent. */
  refusing(failures: number, probeEveryMs: number): void {
    const after = failures > 0 ? `${failures} commands in a row failed; ` : '';
    this.logger.warn(`Redis at ${this.address}: ${after}refusing commands at once until it answers again (asked every ${probeEveryMs} ms)`);
  }

  /** A command refused by the open breaker: part of the outage, for the reason it began or last failed with. */
  refused(): void {
    if (this.outage !== null) this.failed(this.outage.reason);
  }

  recovered(): void {
    const outage = this.outage;
    if (outage === null) return;
    this.outage = null;
    const lasted = Math.max(0, this.clock.now().getTime() - outage.since);
    this.logger.log(`Redis at ${this.address} answers again after ${seconds(lasted)}; ${commands(outage.total)} failed meanwhile`);
  }
}
