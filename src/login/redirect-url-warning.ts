import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { BrokerId } from '../brokers/broker-adapter';
import { BROKER_NAMES } from '../brokers/broker-names';
import { BROKERS_BESIDES_POCKETFUL, BrokersSettings } from '../brokers/brokers.config';
import { BrokerSettings } from '../brokers/pocketful/pocketful.config';
import { HttpSettings } from '../http/http.config';

/**
 * A redirect URL that cannot reach this vault's callback fails every login at the broker's redirect, silently from
 * the vault's side: said once, at start, for each broker that is on. Its path must end in the broker's callback
 * (`/zerodha/callback`, behind any prefix a proxy adds). In the sandbox, where the stand-ins send the browser to it
 * and nothing lies between, it must also name the port the vault listens on.
 */
@Injectable()
export class RedirectUrlWarning implements OnApplicationBootstrap {
  private readonly logger = new Logger('Login');

  constructor(
    private readonly pocketful: BrokerSettings,
    private readonly brokers: BrokersSettings,
    private readonly http: HttpSettings,
  ) {}

  onApplicationBootstrap(): void {
    for (const [broker, redirectUrl] of this.redirectUrls()) {
      const problem = redirectProblem(broker, redirectUrl, this.pocketful.sandbox ? this.http.port : null);
      if (problem !== null) this.logger.warn(problem);
    }
  }

  private redirectUrls(): Array<[BrokerId, string]> {
    const urls: Array<[BrokerId, string]> = [];
    if (this.pocketful.enabled) urls.push(['pocketful', this.pocketful.redirectUrl]);
    for (const broker of BROKERS_BESIDES_POCKETFUL) {
      const settings = this.brokers[broker];
      if (settings) urls.push([broker, settings.redirectUrl]);
    }
    return urls;
  }
}

/** Why a broker's redirect URL would not bring a login back to this vault, or null; `sandboxPort` only in the sandbox. */
export function redirectProblem(broker: BrokerId, redirectUrl: string, sandboxPort: number | null): string | null {
  const variable = `${BROKER_NAMES[broker]}'s redirect URL`;
  let url: URL;
  try {
    url = new URL(redirectUrl);
  } catch {
    return `${variable} is not a URL: logins with ${BROKER_NAMES[broker]} cannot come back here`;
  }
  if (!url.pathname.replace(/\/+$/, '').endsWith(`/${broker}/callback`)) {
    return `${variable} ends in ${url.pathname}, not /${broker}/callback: the broker sends every login there, and this vault's callback is /${broker}/callback`;
  }
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  if (sandboxPort !== null && port !== sandboxPort) {
    return `${variable} names port ${port}, but this vault listens on ${sandboxPort}: the sandbox's ${BROKER_NAMES[broker]} login would send the browser to a port nothing here answers; unset it to follow PORT`;
  }
  return null;
}
