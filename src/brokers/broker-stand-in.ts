import { Type } from '@nestjs/common';
import type { BrokersSettings } from './brokers.config';

/** The brokers besides Pocketful, each of which SANDBOX=true can turn on against a stand-in of its own. */
export type StandInBroker = 'zerodha' | 'upstox' | 'fyers' | 'dhan';

/** Who the vault is to a broker's stand-in, and the users the stand-in has. */
export interface StandInApp {
  readonly key: string;
  readonly secret: string;
  /** In the broker's own id format; ALLOWED_CLIENT_IDS's accounts of the broker, when it names any, replace them. */
  readonly accounts: readonly string[];
}

/**
 * A broker's stand-in as the sandbox mounts it: its routes under /sandbox/<broker>, answered by its in-process
 * stand-in (the provider `sandbox`), made for the app the vault is configured with. Each broker's folder declares
 * its own; SandboxModule mounts those of the brokers that run on theirs (BrokersSettings.standIns).
 */
export interface BrokerStandIn<B extends StandInBroker = StandInBroker> {
  readonly broker: B;
  /** Who the vault is to it when the broker's key is not set (brokers.config.ts), and its own users. */
  readonly app: StandInApp;
  readonly controller: Type<unknown>;
  readonly sandbox: Type<unknown>;
  create(settings: NonNullable<BrokersSettings[B]>, accounts: readonly string[], now: () => number): unknown;
}

/** The base path of a broker's stand-in, relative to the vault's own URL. */
export const standInPath = (broker: StandInBroker): string => `/sandbox/${broker}`;

/** The fields of a query or form that are text, as a broker reads them (a repeated field, an array, is none). */
export function textFields(fields: Readonly<Record<string, unknown>> | undefined): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(fields ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
