import { HealthIndicatorResult } from '@nestjs/terminus';

export interface StoreHealth {
  up: boolean;
  kind: string;
  latencyMs: number | null;
  /** Why it is down; never a host, a password or a library's error text. */
  message: string | null;
}

export interface KeysHealth {
  up: boolean;
  /** False with the memory store, which keeps tokens unencrypted in the process. */
  encrypted: boolean;
  sealing: string | null;
  configured: string[];
  /** Accounts whose token names a key that is not configured, by key id. */
  unreadable: Record<string, string[]>;
  message: string | null;
}

export interface ReplicasHealth {
  /** The ids of the replicas that sent a heartbeat within `withinMs`; null while the store does not answer. */
  seen: string[] | null;
  withinMs: number;
}

/** The readiness probe's indicators, read back from terminus's loosely typed result into the status's own shape. */
export function storeHealthOf(result: HealthIndicatorResult, key: string): StoreHealth {
  const detail = (result[key] ?? {}) as Record<string, unknown>;
  return {
    up: detail.status === 'up',
    kind: typeof detail.kind === 'string' ? detail.kind : 'unknown',
    latencyMs: typeof detail.latencyMs === 'number' ? detail.latencyMs : null,
    message: typeof detail.message === 'string' ? detail.message : null,
  };
}

export function keysHealthOf(result: HealthIndicatorResult, key: string): KeysHealth {
  const detail = (result[key] ?? {}) as Record<string, unknown>;
  const configured = Array.isArray(detail.configured) ? detail.configured.filter((id): id is string => typeof id === 'string') : [];
  const unreadable = (detail.unreadable ?? {}) as Record<string, string[]>;
  return {
    up: detail.status === 'up',
    encrypted: detail.encrypted !== false,
    sealing: typeof detail.sealing === 'string' ? detail.sealing : null,
    configured,
    unreadable,
    message: typeof detail.message === 'string' ? detail.message : null,
  };
}
