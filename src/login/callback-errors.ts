import { REGISTER_ERRORS } from '../tokens/tokens.service';

/** What a login's callback may answer, on every broker's route. */
export const CALLBACK_ERRORS = [
  'not_found',
  'state_missing',
  'state_unknown',
  'code_missing',
  'login_state_mismatch',
  'login_cancelled',
  'login_refused',
  'operator_unauthorized',
  'state_replayed',
  'code_already_used',
  'rate_limited',
  ...REGISTER_ERRORS,
] as const;
