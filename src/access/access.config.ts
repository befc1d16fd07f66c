import { IsNotEmpty, IsOptional, IsString, Matches } from 'class-validator';
import { configSlice } from '../config/config-slice';
import { OptionalWholeNumber } from '../config/variables';

class AccessVariables {
  @IsOptional()
  @IsString()
  @IsNotEmpty({ message: '$property must name the JSON file of service clients' })
  VAULT_CLIENTS_FILE?: string;

  @IsOptional()
  @Matches(/^(none|basic:[A-Za-z0-9._@-]{1,64}:[0-9a-fA-F]{64}|header:[A-Za-z0-9-]{1,64}(:[^,\s:]+(,[^,\s:]+)*)?)$/, {
    message:
      '$property must be none, basic:USER:SHA256_OF_PASSWORD (hex), or header:HEADER-NAME[:allowed,values] for an SSO proxy',
  })
  ADMIN_AUTH?: string;

  @OptionalWholeNumber(1, 1000)
  AUTH_FAILURES_PER_MINUTE?: number;
}

/** Who may use the browser routes (start a login, see its result): ADMIN_AUTH. */
export type OperatorAuthSettings =
  | { kind: 'none' }
  | { kind: 'basic'; user: string; passwordSha256: string }
  | { kind: 'header'; header: string; allowed: string[] | null };

/** Who may do what: the service clients' keys, the operators of the pages, and how failed attempts are slowed. */
export class AccessSettings {
  readonly clientsFile!: string | null;
  readonly operatorAuth!: OperatorAuthSettings;
  /** Failed authentications per minute from one address before it is refused for the rest of the minute. */
  readonly authFailuresPerMinute!: number;

  constructor(values: AccessSettings) {
    Object.assign(this, values);
  }
}

export const accessConfig = configSlice({
  settings: AccessSettings,
  variables: AccessVariables,
  build: (env) =>
    new AccessSettings({
      clientsFile: env.VAULT_CLIENTS_FILE ?? null,
      operatorAuth: operatorAuthFrom(env.ADMIN_AUTH ?? 'none'),
      authFailuresPerMinute: env.AUTH_FAILURES_PER_MINUTE ?? 10,
    }),
});

function operatorAuthFrom(text: string): OperatorAuthSettings {
  const [kind, first, ...rest] = text.split(':');
  if (kind === 'basic') return { kind, user: first, passwordSha256: rest.join(':').toLowerCase() };
  if (kind === 'header') return { kind, header: first.toLowerCase(), allowed: rest.length > 0 ? rest.join(':').split(',') : null };
  return { kind: 'none' };
}
