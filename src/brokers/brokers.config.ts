import {
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Validate,
  ValidateIf,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { DailyCutoff } from '../clock/daily-cutoff';
import { configSlice } from '../config/config-slice';
import { OptionalHttpUrl, splitList } from '../config/variables';
import { HttpSettings } from '../http/http.config';
import { Accounts, BROKER_IDS } from './accounts';
import { BrokerId } from './broker-adapter';
import { StandInApp, standInPath, StandInBroker } from './broker-stand-in';
import { DHAN_SANDBOX_APP } from './dhan/dhan-sandbox';
import { DhanSettings } from './dhan/dhan.settings';
import { FYERS_SANDBOX_APP } from './fyers/fyers-sandbox';
import { FyersSettings } from './fyers/fyers.settings';
import { UPSTOX_SANDBOX_APP } from './upstox/upstox-sandbox';
import { UpstoxSettings } from './upstox/upstox.settings';
import { ZERODHA_SANDBOX_APP } from './zerodha/zerodha-sandbox';
import { ZerodhaSettings } from './zerodha/zerodha.settings';

const URL_OPTIONS = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };
const CALLBACK_PATH = new RegExp(`/(${BROKER_IDS.join('|')})/callback/?$`);

/** The broker OpenAlgo's REDIRECT_URL names by its callback path (`/zerodha/callback`), Pocketful when it names none. */
export function defaultBrokerOf(redirectUrl: string | undefined): BrokerId {
  if (redirectUrl === undefined) return 'pocketful';
  let path: string;
  try {
    path = new URL(redirectUrl).pathname;
  } catch {
    return 'pocketful';
  }
  return (CALLBACK_PATH.exec(path)?.[1] as BrokerId | undefined) ?? 'pocketful';
}

@ValidatorConstraint({ name: 'brokerCutoff' })
class IsDailyCutoff implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && DailyCutoff.isValid(value);
  }
  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be a time of day in India as HH:MM, such as 06:00`;
  }
}

/** Each broker besides the default is on when its own key is set; then its secret and redirect URL must be too. */
const keyed = (broker: string) => (env: BrokersVariables) => (env as unknown as Record<string, unknown>)[`${broker}_API_KEY`] !== undefined;
const redirectMessage = (broker: string) => ({
  message: `$property must be the redirect URL registered with your ${broker} app, e.g. http://127.0.0.1:5000/${broker.toLowerCase()}/callback`,
});
const secretMessage = (broker: string) => ({ message: `$property must be set to the API secret of your ${broker} app` });
/** Dhan is on by its own key, or as the default broker (REDIRECT_URL's) by BROKER_API_KEY. */
const dhanOn = (env: BrokersVariables) =>
  env.DHAN_API_KEY !== undefined || (defaultBrokerOf(env.REDIRECT_URL) === 'dhan' && env.BROKER_API_KEY !== undefined);

/** The brokers besides Pocketful: OpenAlgo's `BROKER_*` names configure the one REDIRECT_URL names, `<BROKER>_*` any other. */
class BrokersVariables {
  /** Read here to turn the brokers with no key on against their stand-ins; Pocketful's slice checks it. */
  SANDBOX?: string;

  @IsOptional()
  @IsString()
  REDIRECT_URL?: string;

  @IsOptional()
  @IsString()
  ZERODHA_API_KEY?: string;
  @ValidateIf(keyed('ZERODHA'))
  @IsString()
  @IsNotEmpty(secretMessage('Zerodha'))
  ZERODHA_API_SECRET?: string;
  @ValidateIf(keyed('ZERODHA'))
  @IsUrl(URL_OPTIONS, redirectMessage('Zerodha'))
  ZERODHA_REDIRECT_URL?: string;
  @OptionalHttpUrl('$property must be an http(s) URL such as https://kite.zerodha.com')
  ZERODHA_LOGIN_URL?: string;
  @OptionalHttpUrl('$property must be an http(s) URL such as https://api.kite.trade')
  ZERODHA_API_URL?: string;
  @IsOptional()
  @Validate(IsDailyCutoff)
  ZERODHA_TOKEN_EXPIRY_TIME?: string;

  @IsOptional()
  @IsString()
  UPSTOX_API_KEY?: string;
  @ValidateIf(keyed('UPSTOX'))
  @IsString()
  @IsNotEmpty(secretMessage('Upstox'))
  UPSTOX_API_SECRET?: string;
  @ValidateIf(keyed('UPSTOX'))
  @IsUrl(URL_OPTIONS, redirectMessage('Upstox'))
  UPSTOX_REDIRECT_URL?: string;
  @OptionalHttpUrl('$property must be an http(s) URL such as https://api.upstox.com')
  UPSTOX_BASE_URL?: string;
  @IsOptional()
  @Validate(IsDailyCutoff)
  UPSTOX_TOKEN_EXPIRY_TIME?: string;

  @IsOptional()
  @IsString()
  FYERS_API_KEY?: string;
  @ValidateIf(keyed('FYERS'))
  @IsString()
  @IsNotEmpty(secretMessage('Fyers'))
  FYERS_API_SECRET?: string;
  @ValidateIf(keyed('FYERS'))
  @IsUrl(URL_OPTIONS, redirectMessage('Fyers'))
  FYERS_REDIRECT_URL?: string;
  @OptionalHttpUrl('$property must be an http(s) URL such as https://api-t1.fyers.in')
  FYERS_BASE_URL?: string;
  @IsOptional()
  @Validate(IsDailyCutoff)
  FYERS_TOKEN_EXPIRY_TIME?: string;

  @IsOptional()
  @IsString()
  DHAN_API_KEY?: string;
  @ValidateIf(keyed('DHAN'))
  @IsString()
  @IsNotEmpty(secretMessage('Dhan'))
  DHAN_API_SECRET?: string;
  @ValidateIf(keyed('DHAN'))
  @IsUrl(URL_OPTIONS, redirectMessage('Dhan'))
  DHAN_REDIRECT_URL?: string;
  /** generate-consent names the account that logs in: required whenever Dhan is on with a key of its own. */
  @ValidateIf(dhanOn)
  @Matches(/^[A-Za-z0-9_-]{1,32}$/, { message: '$property must be the Dhan client id of the account that logs in (its key was made by it), e.g. 1000000001' })
  DHAN_CLIENT_ID?: string;
  @OptionalHttpUrl('$property must be an http(s) URL such as https://auth.dhan.co')
  DHAN_AUTH_URL?: string;
  @OptionalHttpUrl('$property must be an http(s) URL such as https://api.dhan.co')
  DHAN_API_URL?: string;
  @IsOptional()
  @Validate(IsDailyCutoff)
  DHAN_TOKEN_EXPIRY_TIME?: string;

  /** Read here only to choose the Dhan stand-in's client when DHAN_CLIENT_ID is not set; the tokens' slice checks it. */
  ALLOWED_CLIENT_IDS?: string;

  @IsOptional()
  @IsString()
  BROKER_API_KEY?: string;
  @IsOptional()
  @IsString()
  BROKER_API_SECRET?: string;
}

/** The brokers whose settings this slice holds: every one but Pocketful, whose own slice is BrokerSettings. */
export const BROKERS_BESIDES_POCKETFUL = BROKER_IDS.filter((broker): broker is Exclude<BrokerId, 'pocketful'> => broker !== 'pocketful');

/**
 * Which brokers are on and how accounts are written: the default broker (REDIRECT_URL's) writes its accounts bare.
 * Pocketful's own settings stay in its slice (BrokerSettings); a broker here is null when it is off.
 */
export class BrokersSettings {
  readonly defaultBroker!: BrokerId;
  readonly accounts!: Accounts;
  readonly zerodha!: ZerodhaSettings | null;
  readonly upstox!: UpstoxSettings | null;
  readonly fyers!: FyersSettings | null;
  readonly dhan!: DhanSettings | null;
  /**
   * The brokers on against the vault's own stand-in of them, under /sandbox/<broker>: with SANDBOX=true, each one
   * whose key is not set. Their stand-ins are mounted; a broker configured with a key keeps its real URLs.
   */
  readonly standIns!: readonly StandInBroker[];

  constructor(values: BrokersSettings) {
    Object.assign(this, values);
  }
}

type Credentials = { apiKey: string; apiSecret: string; redirectUrl: string };

export const brokersConfig = configSlice({
  settings: BrokersSettings,
  variables: BrokersVariables,
  build: (env, built) => {
    const defaultBroker = defaultBrokerOf(env.REDIRECT_URL);
    // Asked only for a stand-in: a slice that needs no vault address loads without the HTTP one.
    const selfUrl = () => built.get(HttpSettings).selfUrl;
    const standIns: StandInBroker[] = [];
    const credentials = (broker: StandInBroker, standIn: StandInApp, key?: string, secret?: string, redirect?: string): Credentials | null => {
      if (key !== undefined) return { apiKey: key, apiSecret: secret ?? '', redirectUrl: redirect ?? '' };
      if (defaultBroker === broker && env.BROKER_API_KEY !== undefined) {
        return { apiKey: env.BROKER_API_KEY, apiSecret: env.BROKER_API_SECRET ?? '', redirectUrl: env.REDIRECT_URL ?? '' };
      }
      if (env.SANDBOX !== 'true') return null;
      standIns.push(broker);
      return { apiKey: standIn.key, apiSecret: standIn.secret, redirectUrl: `${selfUrl()}/${broker}/callback` };
    };
    /** A URL setting: as set, else the stand-in's base for a broker on against it, else (undefined) the broker's own. */
    const url = (broker: StandInBroker, set?: string) => set ?? (standIns.includes(broker) ? `${selfUrl()}${standInPath(broker)}` : undefined);
    const cutoff = (text?: string) => (text === undefined ? undefined : DailyCutoff.parse(text));
    const zerodha = credentials('zerodha', ZERODHA_SANDBOX_APP, env.ZERODHA_API_KEY, env.ZERODHA_API_SECRET, env.ZERODHA_REDIRECT_URL);
    const upstox = credentials('upstox', UPSTOX_SANDBOX_APP, env.UPSTOX_API_KEY, env.UPSTOX_API_SECRET, env.UPSTOX_REDIRECT_URL);
    const fyers = credentials('fyers', FYERS_SANDBOX_APP, env.FYERS_API_KEY, env.FYERS_API_SECRET, env.FYERS_REDIRECT_URL);
    const dhan = credentials('dhan', DHAN_SANDBOX_APP, env.DHAN_API_KEY, env.DHAN_API_SECRET, env.DHAN_REDIRECT_URL);
    const accounts = new Accounts(defaultBroker);
    /** On its stand-in, the first Dhan account ALLOWED_CLIENT_IDS names, else the stand-in's own first. */
    const dhanClientId = () => {
      if (env.DHAN_CLIENT_ID !== undefined || !standIns.includes('dhan')) return env.DHAN_CLIENT_ID ?? '';
      const allowed = splitList(env.ALLOWED_CLIENT_IDS ?? '').map((entry) => accounts.parse(entry)).filter((entry): entry is string => entry !== null);
      return accounts.idsOf('dhan', allowed)[0] ?? DHAN_SANDBOX_APP.accounts[0];
    };
    return new BrokersSettings({
      defaultBroker,
      accounts,
      zerodha:
        zerodha &&
        new ZerodhaSettings({
          ...zerodha,
          loginUrl: url('zerodha', env.ZERODHA_LOGIN_URL),
          apiUrl: url('zerodha', env.ZERODHA_API_URL),
          cutoff: cutoff(env.ZERODHA_TOKEN_EXPIRY_TIME),
        }),
      upstox: upstox && new UpstoxSettings({ ...upstox, baseUrl: url('upstox', env.UPSTOX_BASE_URL), cutoff: cutoff(env.UPSTOX_TOKEN_EXPIRY_TIME) }),
      fyers:
        fyers &&
        new FyersSettings({
          appId: fyers.apiKey,
          appSecret: fyers.apiSecret,
          redirectUrl: fyers.redirectUrl,
          baseUrl: url('fyers', env.FYERS_BASE_URL),
          cutoff: cutoff(env.FYERS_TOKEN_EXPIRY_TIME),
        }),
      dhan:
        dhan &&
        new DhanSettings({
          ...dhan,
          clientId: dhanClientId(),
          authUrl: url('dhan', env.DHAN_AUTH_URL),
          apiUrl: url('dhan', env.DHAN_API_URL),
          cutoff: cutoff(env.DHAN_TOKEN_EXPIRY_TIME) ?? null,
        }),
      standIns,
    });
  },
});
