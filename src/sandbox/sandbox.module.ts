import { DynamicModule, Module, Provider } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { BrokerId } from '../brokers/broker-adapter';
import { BrokerStandIn } from '../brokers/broker-stand-in';
import { BrokersSettings } from '../brokers/brokers.config';
import { dhanStandIn } from '../brokers/dhan/dhan-sandbox.controller';
import { fyersStandIn } from '../brokers/fyers/fyers-sandbox.controller';
import { BrokerSettings } from '../brokers/pocketful/pocketful.config';
import { upstoxStandIn } from '../brokers/upstox/upstox-sandbox.controller';
import { zerodhaStandIn } from '../brokers/zerodha/zerodha-sandbox.controller';
import { TokenSettings } from '../tokens/tokens.config';
import { SandboxBroker } from './sandbox-broker';
import { SandboxController } from './sandbox.controller';

export const SANDBOX_ACCOUNTS = ['YA0002', 'YA0003'];

/** The stand-ins of the brokers besides Pocketful, each declared in its broker's folder. */
const STAND_INS: readonly BrokerStandIn[] = [zerodhaStandIn, upstoxStandIn, fyersStandIn, dhanStandIn];

/**
 * The accounts a broker's stand-in offers: those ALLOWED_CLIENT_IDS names of that broker, so that a login through
 * the sandbox is one the vault keeps; the stand-in's own when it names none (or is unset).
 */
function accountsAt(broker: BrokerId, own: readonly string[], brokers: BrokersSettings, tokens: TokenSettings): readonly string[] {
  const allowed = tokens.allowedClientIds === null ? [] : brokers.accounts.idsOf(broker, tokens.allowedClientIds);
  return allowed.length > 0 ? allowed : own;
}

const pocketfulStandIn: Provider = {
  provide: SandboxBroker,
  inject: [BrokerSettings, BrokersSettings, TokenSettings, Clock],
  useFactory: (broker: BrokerSettings, brokers: BrokersSettings, tokens: TokenSettings, clock: Clock) =>
    new SandboxBroker({
      appId: broker.appId,
      appSecret: broker.appSecret,
      redirectUrl: broker.redirectUrl,
      accounts: accountsAt('pocketful', SANDBOX_ACCOUNTS, brokers, tokens),
      now: () => clock.now().getTime(),
    }),
};

const standInProvider = (standIn: BrokerStandIn): Provider => ({
  provide: standIn.sandbox,
  inject: [BrokersSettings, TokenSettings, Clock],
  useFactory: (brokers: BrokersSettings, tokens: TokenSettings, clock: Clock) => {
    const settings = brokers[standIn.broker];
    if (settings === null) throw new Error(`${standIn.broker} is off: its stand-in has no app to answer as`);
    return standIn.create(settings, accountsAt(standIn.broker, standIn.app.accounts, brokers, tokens), () => clock.now().getTime());
  },
});

/**
 * The built-in sandbox (SANDBOX=true): Pocketful's stand-in under /sandbox, and the stand-in of each other broker
 * that runs on one (BrokersSettings.standIns) under /sandbox/<broker>.
 */
@Module({})
export class SandboxModule {
  static forRoot(brokers: BrokersSettings): DynamicModule {
    const mounted = STAND_INS.filter((standIn) => brokers.standIns.includes(standIn.broker));
    return {
      module: SandboxModule,
      controllers: [SandboxController, ...mounted.map((standIn) => standIn.controller)],
      providers: [pocketfulStandIn, ...mounted.map(standInProvider)],
    };
  }
}
