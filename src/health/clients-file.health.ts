import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { ClientsFileWatcher } from '../access/clients-file.watcher';
import { formatIst } from '../clock/ist-time';

/**
 * The clients file can be used, or has been unusable for less than CLIENTS_FILE_GRACE_SECONDS: past it, the replica
 * refuses every key of the file, and is not ready, so that an orchestrator sees a revocation that did not take effect.
 * Within the grace it is up, with the problem beside it. Paths stay out: the probe needs no credentials (the log and
 * the status, which do, name the file).
 */
@Injectable()
export class ClientsFileHealthIndicator {
  constructor(
    private readonly watcher: ClientsFileWatcher,
    private readonly health: HealthIndicatorService,
  ) {}

  check(key = 'clientsFile'): HealthIndicatorResult {
    const indicator = this.health.check(key);
    const file = this.watcher.health();
    if (file === null) return indicator.up();
    const state = { clients: file.clients, lastReadAt: formatIst(file.lastReadAt) };
    if (file.problem === null) return indicator.up(state);
    const failing = { ...state, failingSince: formatIst(file.failingSince ?? file.lastReadAt), message: file.problem };
    return file.refusing ? indicator.down(failing) : indicator.up(failing);
  }
}
