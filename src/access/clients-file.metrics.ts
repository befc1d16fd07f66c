import { Injectable, Optional } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { VaultMetrics } from '../metrics/vault-metrics';
import { ClientsFileWatcher } from './clients-file.watcher';

/**
 * `token_vault_clients_file_valid` (1 while the last check could use the clients file, 0 while it cannot) and
 * `token_vault_clients_file_last_read_timestamp_seconds` (the last check that could), read at each scrape. Neither
 * exists without a clients file; the commands (no registry) record nothing.
 */
@Injectable()
export class ClientsFileMetrics {
  constructor(watcher: ClientsFileWatcher, @Optional() metrics?: VaultMetrics) {
    if (!metrics || watcher.health() === null) return;
    new Gauge({
      name: 'token_vault_clients_file_valid',
      help: 'Whether the last check of the clients file (every second) could read and use it (1) or not (0): past CLIENTS_FILE_GRACE_SECONDS at 0, its keys are refused and the replica is not ready.',
      registers: [metrics.registry],
      collect() {
        this.set(watcher.health()?.problem === null ? 1 : 0);
      },
    });
    new Gauge({
      name: 'token_vault_clients_file_last_read_timestamp_seconds',
      help: 'When the last check that could use the clients file was made, in seconds since the Unix epoch: the keys served are at least this fresh.',
      registers: [metrics.registry],
      collect() {
        const health = watcher.health();
        if (health) this.set(health.lastReadAt.getTime() / 1000);
      },
    });
  }
}
