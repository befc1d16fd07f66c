import { Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { AuditSettings } from './audit.config';
import { AuditEntry, AuditEvent, AuditLog, AuditPage, AuditQuery, matches } from './audit-log';

/** The audit trail of a single process, bounded like the stream: the oldest entries go first. */
@Injectable()
export class MemoryAuditLog extends AuditLog {
  private readonly entries: AuditEntry[] = [];
  private sequence = 0;

  constructor(
    private readonly clock: Clock,
    private readonly settings: AuditSettings,
  ) {
    super();
  }

  async append(event: AuditEvent): Promise<void> {
    const at = this.clock.now();
    this.sequence += 1;
    this.entries.push({ ...event, at, id: `${at.getTime()}-${this.sequence}` });
    const excess = this.entries.length - this.settings.maxLength;
    if (excess > 0) this.entries.splice(0, excess);
  }

  async page(query: AuditQuery): Promise<AuditPage> {
    const beforeIndex = query.before === undefined ? this.entries.length : this.entries.findIndex((entry) => entry.id === query.before);
    const older = this.entries.slice(0, beforeIndex < 0 ? 0 : beforeIndex).reverse();
    const found = older.filter((entry) => matches(entry, query));
    const entries = found.slice(0, query.limit);
    const more = found.length > query.limit;
    return { entries, next: more ? entries[entries.length - 1].id : null };
  }
}
