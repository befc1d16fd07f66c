import { loadConfiguration } from '../config/load-configuration';
import { httpConfig } from '../http/http.config';
import { VaultMetrics } from '../metrics/vault-metrics';
import { BrokerError } from './broker-error';
import { BrokerMetrics } from './broker-metrics';
import { BrokersSettings, brokersConfig } from './brokers.config';
import { BrokerSettings, pocketfulConfig } from './pocketful/pocketful.config';

const SLICES = [httpConfig, pocketfulConfig, brokersConfig];

/** The requests counter's series, `broker/endpoint/outcome` → value. */
async function callSeries(metrics: VaultMetrics): Promise<Record<string, number>> {
  const metric = await metrics.registry.getSingleMetric('token_vault_broker_requests_total')!.get();
  return Object.fromEntries(metric.values.map(({ labels, value }) => [`${labels.broker}/${labels.endpoint}/${labels.outcome}`, value]));
}

describe(BrokerMetrics.name, () => {
  const registries: VaultMetrics[] = [];
  const registry = () => {
    const metrics = new VaultMetrics();
    registries.push(metrics);
    return metrics;
  };

  afterEach(() => {
    for (const metrics of registries.splice(0)) metrics.onApplicationShutdown();
  });

  it('has series from the start for the brokers that are on only: Zerodha the default, Upstox by its key, Pocketful and Fyers off', async () => {
    const configuration = loadConfiguration(
      {
        REDIRECT_URL: 'http://127.0.0.1:5000/zerodha/callback',
        BROKER_API_KEY: 'kite-key',
        BROKER_API_SECRET: 'kite-secret',
        UPSTOX_API_KEY: 'upstox-key',
        UPSTOX_API_SECRET: 'upstox-secret',
        UPSTOX_REDIRECT_URL: 'http://127.0.0.1:5000/upstox/callback',
      },
      SLICES,
    );
    expect(configuration.get(BrokerSettings).enabled).toBe(false);
    const metrics = registry();
    new BrokerMetrics(metrics, configuration.get(BrokerSettings), configuration.get(BrokersSettings));

    const series = await callSeries(metrics);
    expect(Object.keys(series).sort()).toEqual(
      ['zerodha/token', 'zerodha/profile', 'upstox/token', 'upstox/profile']
        .flatMap((call) => ['ok', 'unavailable', 'timeout', 'malformed'].map((outcome) => `${call}/${outcome}`))
        .sort(),
    );
    expect(Object.values(series).every((value) => value === 0)).toBe(true);
  });

  it('counts a call by its BrokerError’s failure, or error for anything else, and passes the outcome through', async () => {
    const metrics = registry();
    const sut = new BrokerMetrics(metrics);
    await expect(sut.measure('fyers', 'profile', async () => 'answer')).resolves.toBe('answer');
    const refusal = new BrokerError('unauthorized', 'Fyers refused profile');
    await expect(sut.measure('fyers', 'profile', () => Promise.reject(refusal))).rejects.toBe(refusal);
    await expect(sut.measure('fyers', 'validate_authcode', () => Promise.reject(new Error('a bug')))).rejects.toThrow('a bug');

    expect(await callSeries(metrics)).toMatchObject({
      'fyers/profile/ok': 1,
      'fyers/profile/unauthorized': 1,
      'fyers/validate_authcode/error': 1,
      // Without settings Pocketful is taken to be on, as AccountBrokers takes it.
      'pocketful/token/ok': 0,
    });
  });
});
