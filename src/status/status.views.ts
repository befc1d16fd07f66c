import type { BrokerId } from '../brokers/broker-adapter';
import { formatIst } from '../clock/ist-time';
import { AccountLineState } from './account-line';
import { VaultStatus } from './status.service';

export interface AccountStatusJson {
  clientId: string;
  broker: BrokerId;
  /** Where a person logs the account in: its broker's login under PUBLIC_URL. */
  loginUrl: string;
  state: AccountLineState;
  expected: boolean;
  source: string | null;
  issuedAt: string | null;
  expiresAt: string | null;
  expiresIn: number;
}

export interface DeliveryJson {
  at: string;
  channel: string;
  type: string;
  result: string;
  accounts: string[];
  accountCount: number;
}

export interface PreopenJson {
  date: string;
  time: string;
  attempt: number;
  checkedAt: string;
  checked: number;
  final: boolean;
  live: string[];
  refused: string[];
  missing: string[];
  unknown: { clientId: string; reason: string }[];
}

export interface ClientsFileJson {
  /** `down` once the file has been unusable past its grace: its keys are refused, and the replica is not ready. */
  status: 'up' | 'down';
  /** Whether the last check (every second) could read and use the file. */
  valid: boolean;
  path: string;
  clients: number;
  lastReadAt: string;
  failingSince: string | null;
  /** Why the last check could not use it; never a key or a hash. */
  message: string | null;
  grace: number;
}

/** The answer of `GET /v1/status`, which `npm run status` reads: times in IST, durations in seconds. */
export interface StatusJson {
  at: string;
  version: string;
  expiringWithin: number;
  accounts: AccountStatusJson[] | null;
  alerts: { channels: string[]; recent: DeliveryJson[] | null };
  preopen: PreopenJson | null;
  health: {
    store: { status: 'up' | 'down'; kind: string; latencyMs: number | null; message: string | null };
    keys: {
      status: 'up' | 'down';
      encrypted: boolean;
      sealing: string | null;
      configured: string[];
      unreadable: Record<string, string[]>;
      message: string | null;
    };
    replicas: { seen: number | null; ids: string[]; within: number };
    /** Null without a clients file; absent from a vault older than this field. */
    clientsFile?: ClientsFileJson | null;
  };
}

const upOrDown = (up: boolean): 'up' | 'down' => (up ? 'up' : 'down');

export function statusJson(status: VaultStatus): StatusJson {
  const { store, keys, replicas, clientsFile } = status.health;
  return {
    at: formatIst(status.at),
    version: status.version,
    expiringWithin: Math.round(status.expiringWithinMs / 1000),
    accounts:
      status.accounts?.map((line) => ({
        clientId: line.clientId,
        broker: line.broker,
        loginUrl: line.loginUrl,
        state: line.state,
        expected: line.expected,
        source: line.source,
        issuedAt: line.issuedAt && formatIst(line.issuedAt),
        expiresAt: line.expiresAt && formatIst(line.expiresAt),
        expiresIn: line.secondsLeft,
      })) ?? null,
    alerts: {
      channels: status.alerts.channels,
      recent:
        status.alerts.recent?.map((delivery) => ({
          at: formatIst(delivery.at),
          channel: delivery.channel,
          type: delivery.type,
          result: delivery.result,
          reason: delivery.reason ?? null,
          accounts: delivery.accounts,
          accountCount: delivery.accountCount,
        })) ?? null,
    },
    preopen: status.preopen && { ...status.preopen, checkedAt: formatIst(status.preopen.checkedAt) },
    health: {
      store: { status: upOrDown(store.up), kind: store.kind, latencyMs: store.latencyMs, message: store.message },
      keys: {
        status: upOrDown(keys.up),
        encrypted: keys.encrypted,
        sealing: keys.sealing,
        configured: keys.configured,
        unreadable: keys.unreadable,
        message: keys.message,
      },
      replicas: { seen: replicas.seen?.length ?? null, ids: replicas.seen ?? [], within: Math.round(replicas.withinMs / 1000) },
      clientsFile: clientsFile && {
        status: upOrDown(!clientsFile.refusing),
        valid: clientsFile.problem === null,
        path: clientsFile.path,
        clients: clientsFile.clients,
        lastReadAt: formatIst(clientsFile.lastReadAt),
        failingSince: clientsFile.failingSince && formatIst(clientsFile.failingSince),
        message: clientsFile.problem,
        grace: Math.round(clientsFile.graceMs / 1000),
      },
    },
  };
}
