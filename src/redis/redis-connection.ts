import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { Clock, SystemClock } from '../clock/clock';
import { ConnectionCheck, Verdict } from './connection-check';
import { CommandGate, GatedRedis } from './gated-redis';
import { RedisBreaker } from './redis-breaker';
import { createRedisClient } from './redis-client-factory';
import { connectionFailure, StoreRefusal, unusableReason } from './redis-failure';
import { RedisKeys } from './redis-keys';
import { RedisOutageLog } from './redis-outage-log';
import { StorageSettings } from './storage.config';

/** Consecutive failed commands that open the breaker. */
export const BREAKER_THRESHOLD = 3;
/** The pause between one probe of a Redis that does not answer and the next. */
export const BREAKER_PROBE_EVERY_MS = 500;
const STARTUP_WAIT_MS = 2_000;
const REPLICA = 'READONLY: connected to a read-only replica';

/**
 * The one Redis connection of a vault process, and whether to use it. Every command passes a gate that refuses it
 * at once, without sending, while the breaker is open (Redis stopped answering, or is a replica), while a fresh
 * connection is being checked, or when the check failed (a database Redis refused); failures are logged as an
 * outage, in a few lines however many there are. Readiness asks it too.
 */
@Injectable()
export class RedisConnection implements OnModuleInit, OnApplicationShutdown, CommandGate {
  readonly client: Redis;
  readonly keys: RedisKeys;
  /** How long a token write waits for a replica to confirm it: well inside the command's own deadline. */
  readonly replicationWaitMs: number;
  private readonly gated: GatedRedis;
  private readonly logger = new Logger('Redis');
  private readonly outages: RedisOutageLog;
  private readonly breaker: RedisBreaker;
  private readonly check: ConnectionCheck;
  /** The connection passed its check since it (re)connected. */
  private checked = false;
  /** Settled by the first check, whatever it found, or by a refusal that waiting will not mend: start-up waits for it. */
  private readonly known: Promise<void>;
  private settle: () => void = () => undefined;
  /** Why the connection cannot be used whatever Redis's health (a database or ROLE it refused), said once; or null. */
  private unfit: string | null = null;
  /** What the connection or a command last failed with. */
  private lastFailure: string | null = null;
  /** Set while ioredis reconnects: the reason of the commands it refuses meanwhile. */
  private connectionFailure: string | null = null;
  private knownReplicas = 0;
  private readonly address: string;

  constructor(settings: StorageSettings, keys: RedisKeys, clock: Clock = new SystemClock()) {
    this.keys = keys;
    this.address = settings.address;
    this.known = new Promise<void>((resolve) => (this.settle = resolve));
    this.replicationWaitMs = Math.max(1, Math.floor(settings.commandTimeoutMs / 2));
    this.gated = createRedisClient(settings);
    this.client = this.gated;
    this.outages = new RedisOutageLog(clock, this.logger, this.address);
    this.check = new ConnectionCheck(settings.database, (name, ...args) => this.gated.sendUngated(name, ...args));
    this.breaker = new RedisBreaker({
      threshold: BREAKER_THRESHOLD,
      probeEveryMs: BREAKER_PROBE_EVERY_MS,
      probe: async () => {
        if ((await this.verify()).kind === 'replica') throw new Error('still a replica');
      },
      onOpen: (failures) => this.outages.refusing(failures, BREAKER_PROBE_EVERY_MS),
      onClose: () => this.outages.recovered(),
    });
    this.gated.guardWith(this);
    this.gated.on('connect', () => {
      this.checked = false;
      this.check.connectionReset();
    });
    this.gated.on('ready', () => {
      this.connectionFailure = null;
      // A connection that cannot even answer its check is as good as down.
      this.verify().catch(() => this.breaker.trip());
    });
    // The URL can hold a password: errors are logged by their code, never their message.
    this.gated.on('error', (error: unknown) => {
      const reason = connectionFailure(error);
      if (reason === null) return;
      this.connectionFailure = reason;
      this.failed(reason, 0);
      if (/^(WRONGPASS|NOAUTH)/.test(reason)) this.settle();
    });
  }

  /** Replicas the master had at the last check: a token write waits for one of them when there is one. */
  get replicas(): number {
    return this.knownReplicas;
  }

  /**
   * Without an offline queue, the first requests after start would fail while the connection is still being made
   * and checked. Wait for it briefly; a Redis that is down at start leaves the vault up but not ready, and ioredis
   * keeps trying. A refused password is not waited out: it is said, and the vault starts not ready.
   */
  async onModuleInit(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const answered = await Promise.race([
      this.known.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), STARTUP_WAIT_MS))),
    ]);
    clearTimeout(timer);
    if (!answered) this.logger.warn(`Redis at ${this.address} did not answer at start; the vault is not ready until it does`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.breaker.stop();
    try {
      await this.gated.quit();
    } catch {
      // Already gone.
    }
    // Also closes what QUIT leaves open: the sentinel connections that watch for a failover.
    this.gated.disconnect();
  }

  /** Throws why Redis cannot serve now; else checks the node again (still the master) and counts its replicas. */
  async readiness(): Promise<void> {
    const before = this.refusal();
    if (before !== null) throw before;
    this.apply(await this.check.verify());
    const after = this.refusal();
    if (after !== null) throw after;
  }

  refusal(): StoreRefusal | null {
    if (this.unfit !== null) return new StoreRefusal(this.unfit, false);
    if (this.breaker.isOpen) return new StoreRefusal(`Redis cannot serve (${this.lastFailure ?? 'no answer'})`, true);
    if (this.checked) return null;
    const failure = this.connectionFailure;
    return failure === null ? new StoreRefusal('connecting to Redis', false) : new StoreRefusal(`Redis unreachable (${failure})`, true);
  }

  refused(refusal: Error): void {
    if (refusal instanceof StoreRefusal && refusal.counted) this.outages.refused();
  }

  sent(outcome: Promise<unknown>): void {
    outcome.then(
      () => this.answered(),
      (error: unknown) => {
        const reason = unusableReason(error, this.connectionFailure);
        if (reason === null) this.answered();
        else this.failed(reason, 1);
      },
    );
  }

  private answered(): void {
    this.breaker.succeeded();
    this.outages.recovered();
  }

  private failed(reason: string, commands: number): void {
    this.lastFailure = reason;
    this.outages.failed(reason, commands);
    if (commands === 0) return;
    if (reason.startsWith('READONLY')) this.breaker.trip();
    else this.breaker.failed();
  }

  /** Checks a connection that just became ready; and the breaker's probe: Redis is back once it is the master. */
  private async verify(): Promise<Verdict> {
    const verdict = await this.check.verify();
    this.checked = true;
    this.settle();
    this.apply(verdict);
    if (verdict.kind === 'master') this.answered();
    return verdict;
  }

  private apply(verdict: Verdict): void {
    if (verdict.kind === 'unfit') {
      if (this.unfit !== verdict.problem) this.logger.error(`${verdict.problem}; the vault serves nothing until this is fixed`);
      this.unfit = verdict.problem;
      return;
    }
    if (this.unfit !== null) this.logger.log('Redis accepts the configured database again');
    this.unfit = null;
    if (verdict.kind === 'replica') {
      this.lastFailure = REPLICA;
      this.outages.failed(REPLICA, 0);
      this.breaker.trip();
      return;
    }
    this.knownReplicas = verdict.replicas;
  }
}
