import { MemoryReplicaRegistry } from './memory-replica.registry';
import { REPLICA_FORGOTTEN_AFTER_MS } from './replica-registry';

const AT = new Date('2026-03-10T04:30:00.000Z');
const before = (ms: number) => new Date(AT.getTime() - ms);

describe(MemoryReplicaRegistry.name, () => {
  it('lists the replicas whose last heartbeat is at or after the instant asked, by id', async () => {
    const registry = new MemoryReplicaRegistry();
    await registry.beat('b', before(30_000));
    await registry.beat('c', before(30_001));
    await registry.beat('a', AT);
    expect(await registry.seenSince(before(30_000))).toEqual(['a', 'b']);
  });

  it('counts a replica by its last heartbeat, and not once it has left', async () => {
    const registry = new MemoryReplicaRegistry();
    await registry.beat('a', before(60_000));
    await registry.beat('a', AT);
    expect(await registry.seenSince(before(1))).toEqual(['a']);
    await registry.leave('a');
    expect(await registry.seenSince(before(60_000))).toEqual([]);
  });

  it('forgets replicas silent for ten minutes at the next heartbeat', async () => {
    const registry = new MemoryReplicaRegistry();
    await registry.beat('gone', before(REPLICA_FORGOTTEN_AFTER_MS + 1));
    await registry.beat('kept', before(REPLICA_FORGOTTEN_AFTER_MS));
    await registry.beat('now', AT);
    expect(await registry.seenSince(new Date(0))).toEqual(['kept', 'now']);
  });
});
