import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { VaultMetrics } from '../metrics/vault-metrics';
import { VAULT_REVISION, VAULT_VERSION } from './vault-version';

/**
 * `token_vault_build_info{version,revision} 1`, as Prometheus' own `…_build_info`: what each replica runs, to join
 * onto its other series or to see a rolling upgrade through. No revision label when the build did not know it.
 */
@Injectable()
export class BuildInfoGauge {
  constructor(metrics: VaultMetrics) {
    new Gauge({
      name: 'token_vault_build_info',
      help: 'Always 1: the version of the vault (package.json) and the commit it was built from (revision), when the build knew it.',
      labelNames: ['version', 'revision'] as const,
      registers: [metrics.registry],
    }).set(VAULT_REVISION === undefined ? { version: VAULT_VERSION } : { version: VAULT_VERSION, revision: VAULT_REVISION }, 1);
  }
}
