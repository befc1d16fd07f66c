import { BrokerId } from './broker-adapter';

/** How people know each broker: in its adapter's errors, in alerts and on pages. */
export const BROKER_NAMES: Readonly<Record<BrokerId, string>> = {
  pocketful: 'Pocketful',
  zerodha: 'Zerodha',
  upstox: 'Upstox',
  fyers: 'Fyers',
  dhan: 'Dhan',
};
