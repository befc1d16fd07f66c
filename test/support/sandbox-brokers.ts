import { brokersConfig } from '../../src/brokers/brokers.config';
import { pocketfulConfig } from '../../src/brokers/pocketful/pocketful.config';
import { httpConfig } from '../../src/http/http.config';

/**
 * The configuration slices that make BrokersSettings, and the variable that turns every broker on against the
 * vault's own stand-ins, so that a unit spec needs no broker's key: for a subject that names an account's login.
 */
export const SANDBOX_BROKERS = { env: { SANDBOX: 'true' }, slices: [httpConfig, pocketfulConfig, brokersConfig] } as const;
