import { configSlice } from '../config/config-slice';
import { OptionalFlag, OptionalWholeNumber } from '../config/variables';

class AuditVariables {
  /** No fewer than a hundred: Redis trims whole stream nodes (`MAXLEN ~`), a hundred entries each by default. */
  @OptionalWholeNumber(100, 10_000_000)
  AUDIT_MAX_LENGTH?: number;

  @OptionalFlag()
  AUDIT_FAIL_CLOSED?: string;
}

export class AuditSettings {
  /**
   * Each of the trail's two streams, what was done and what was refused, is trimmed to about this many entries:
   * refusals are bounded on their own, so a flood of them only pushes out older refusals.
   */
  readonly maxLength!: number;
  /** A token read whose audit entry cannot be written fails (as Vault does) rather than go unrecorded. */
  readonly failClosed!: boolean;

  constructor(values: AuditSettings) {
    Object.assign(this, values);
  }
}

export const auditConfig = configSlice({
  settings: AuditSettings,
  variables: AuditVariables,
  build: (env) => new AuditSettings({ maxLength: env.AUDIT_MAX_LENGTH ?? 100_000, failClosed: env.AUDIT_FAIL_CLOSED !== 'false' }),
});
