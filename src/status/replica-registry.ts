/** Each replica says it is alive this often. */
export const HEARTBEAT_INTERVAL_MS = 10_000;
/** A replica counts as running when it said so this recently: three heartbeats, so one late beat does not drop it. */
export const REPLICA_SEEN_WITHIN_MS = 30_000;
/** Replicas silent this long are dropped from the registry at the next heartbeat of any replica. */
export const REPLICA_FORGOTTEN_AFTER_MS = 10 * 60_000;

/**
 * Which vault processes are running, as each says by a heartbeat: a port bound to Redis (one registry for every
 * replica that shares it) or to memory (the one process). Instants come from the vault's clock.
 */
export abstract class ReplicaRegistry {
  abstract beat(replicaId: string, at: Date): Promise<void>;
  /** The replicas whose last heartbeat is at or after `since`, by id. */
  abstract seenSince(since: Date): Promise<string[]>;
  abstract leave(replicaId: string): Promise<void>;
}
