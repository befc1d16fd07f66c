import { Injectable } from '@nestjs/common';
import { REPLICA_FORGOTTEN_AFTER_MS, ReplicaRegistry } from './replica-registry';

@Injectable()
export class MemoryReplicaRegistry extends ReplicaRegistry {
  private readonly lastBeats = new Map<string, number>();

  async beat(replicaId: string, at: Date): Promise<void> {
    this.lastBeats.set(replicaId, at.getTime());
    for (const [id, last] of this.lastBeats) {
      if (last < at.getTime() - REPLICA_FORGOTTEN_AFTER_MS) this.lastBeats.delete(id);
    }
  }

  async seenSince(since: Date): Promise<string[]> {
    return [...this.lastBeats].filter(([, last]) => last >= since.getTime()).map(([id]) => id).sort();
  }

  async leave(replicaId: string): Promise<void> {
    this.lastBeats.delete(replicaId);
  }
}
