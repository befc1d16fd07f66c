import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { isIP } from 'node:net';
import { HttpSettings } from '../http/http.config';
import { ScrapeSettings } from './scrape.config';

/**
 * /metrics stays open when METRICS_AUTH is not set, as it was before the variable existed: said once at start when
 * the vault listens beyond this machine. `METRICS_AUTH=none`, written out, is a choice, and quiet.
 */
@Injectable()
export class OpenScrapeWarning implements OnApplicationBootstrap {
  private readonly logger = new Logger('Metrics');

  constructor(
    private readonly scrape: ScrapeSettings,
    private readonly http: HttpSettings,
  ) {}

  onApplicationBootstrap(): void {
    const auth = this.scrape.auth;
    if (auth.kind === 'none' && !auth.written && !isLoopback(this.http.host)) {
      this.logger.warn(
        'METRICS_AUTH is not set: anyone who reaches the vault can read /metrics (account ids, client names, what fails); ' +
          'set bearer-file:PATH or allow:ADDRESS/CIDR,…, or none to keep it open',
      );
    }
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}
