import { IsDefined, IsNotEmpty, IsOptional, IsString, ValidateBy, ValidateIf } from 'class-validator';
import { configSlice } from '../config/config-slice';
import { OptionalWholeNumber } from '../config/variables';
import { HttpSettings } from '../http/http.config';
import { parseStoredPassword, StoredPassword } from './operator-password';

const ADMIN_AUTH_FORMS = 'none, basic:USER:PASSWORD_HASH (from npm run operator-password), or header:HEADER-NAME[:allowed,values] for an SSO proxy';

class AccessVariables {
  @IsOptional()
  @IsString()
  @IsNotEmpty({ message: '$property must name the JSON file of service clients' })
  VAULT_CLIENTS_FILE?: string;

  @OptionalWholeNumber(0, 3600)
  CLIENTS_FILE_GRACE_SECONDS?: number;

  /** Who may start a login is not left to a default outside the sandbox: an open vault must be chosen in writing. */
  @ValidateIf((variables: AccessVariables) => variables.ADMIN_AUTH !== undefined || variables.SANDBOX !== 'true')
  @IsDefined({ message: `$property must be set (unless SANDBOX=true): ${ADMIN_AUTH_FORMS}` })
  @ValidateBy({ name: 'adminAuth', validator: { validate: (value) => typeof value === 'string' && operatorAuthFrom(value) !== null } }, {
    message: `$property must be ${ADMIN_AUTH_FORMS}`,
  })
  ADMIN_AUTH?: string;

  /** Read here only to know whether ADMIN_AUTH may be left out; the broker's slice checks it. */
  SANDBOX?: string;

  @OptionalWholeNumber(1, 1000)
  AUTH_FAILURES_PER_MINUTE?: number;
}

/** Who may use the browser routes (start a login, see its result): ADMIN_AUTH. */
export type OperatorAuthSettings =
  | { kind: 'none' }
  | { kind: 'basic'; user: string; password: StoredPassword }
  | { kind: 'header'; header: string; allowed: string[] | null };

/** Who may do what: the service clients' keys, the operators of the pages, and how failed attempts are slowed. */
export class AccessSettings {
  readonly clientsFile!: string | null;
  /**
   * How long a clients file that cannot be used (unreadable, not valid) is borne with: the keys last read are served
   * meanwhile; after it, they are refused and the replica is not ready, until the file can be used again.
   */
  readonly clientsFileGraceMs!: number;
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
      clientsFileGraceMs: (env.CLIENTS_FILE_GRACE_SECONDS ?? 60) * 1000,
      // Checked with the variables: the text is one of the forms.
      operatorAuth: operatorAuthFrom(env.ADMIN_AUTH ?? 'none')!,
      authFailuresPerMinute: env.AUTH_FAILURES_PER_MINUTE ?? 10,
    }),
  conflicts: (settings, built) =>
    settings.operatorAuth.kind === 'header' && !built.get(HttpSettings).trustedProxies.namesAddresses
      ? [
          'ADMIN_AUTH=header:… needs TRUST_PROXY to list the sign-on proxy\'s addresses/CIDRs: the header is believed only on ' +
            'connections from them, and anyone else could set it',
        ]
      : [],
});

const USER = /^[A-Za-z0-9._@-]{1,64}$/;
const HEADER = /^[A-Za-z0-9-]{1,64}$/;
const ALLOWED = /^[^,\s:]+(,[^,\s:]+)*$/;

/** ADMIN_AUTH read, or null when it is none of its forms. */
function operatorAuthFrom(text: string): OperatorAuthSettings | null {
  const [kind, first = '', ...rest] = text.split(':');
  if (kind === 'none' && text === 'none') return { kind };
  if (kind === 'basic') {
    const password = parseStoredPassword(rest.join(':'));
    return USER.test(first) && password !== null ? { kind, user: first, password } : null;
  }
  if (kind === 'header') {
    const allowed = rest.join(':');
    if (!HEADER.test(first) || (rest.length > 0 && !ALLOWED.test(allowed))) return null;
    return { kind, header: first.toLowerCase(), allowed: rest.length > 0 ? allowed.split(',') : null };
  }
  return null;
}
