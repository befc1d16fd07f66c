import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Clock } from '../clock/clock';
import { HEARTBEAT_INTERVAL_MS, ReplicaRegistry } from './replica-registry';

/**
 * Says every 10 s that this process is running, under an id of its host (the container's name in compose), its
 * process id and a random part, since several vaults can share one process in tests. A heartbeat the store does not
 * take is simply missed: the status page shows the store down, which says more.
 */
@Injectable()
export class ReplicaHeartbeat implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly replicaId = `${hostname().slice(0, 64)}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> = Promise.resolve();

  constructor(
    private readonly registry: ReplicaRegistry,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), HEARTBEAT_INTERVAL_MS);
  }

  beat(): Promise<void> {
    this.beating = this.registry.beat(this.replicaId, this.clock.now()).catch(() => undefined);
    return this.beating;
  }

  /** Before the store's connection closes: the other replicas stop counting this one at once, not 30 s later. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.beating;
    await this.registry.leave(this.replicaId).catch(() => undefined);
  }
}
