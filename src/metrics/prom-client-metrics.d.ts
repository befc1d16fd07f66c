/** prom-client's default metrics one by one (lib/metrics/NAME.js): each registers its collectors in the registry. */
declare module 'prom-client/lib/metrics/*' {
  import type { Registry } from 'prom-client';

  const register: (registry: Registry, config: { prefix?: string; eventLoopMonitoringPrecision?: number }) => void;
  export = register;
}
