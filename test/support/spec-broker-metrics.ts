import { BrokerMetrics } from '../../src/brokers/broker-metrics';
import { VaultMetrics } from '../../src/metrics/vault-metrics';

/**
 * The broker calls' metrics for a spec's adapters, on a registry of the spec's own, made before its tests and
 * stopped after them. Call at the top of a describe; the function it gives reads them inside a test or a hook.
 */
export function specBrokerMetrics(): () => BrokerMetrics {
  let registry: VaultMetrics | undefined;
  let metrics: BrokerMetrics | undefined;
  beforeAll(() => {
    registry = new VaultMetrics();
    metrics = new BrokerMetrics(registry);
  });
  afterAll(() => registry?.onApplicationShutdown());
  return () => {
    if (metrics === undefined) throw new Error('the broker metrics are made in beforeAll: read them in a test or a hook');
    return metrics;
  };
}
