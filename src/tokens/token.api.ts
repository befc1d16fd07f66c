import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { BROKER_IDS } from '../brokers/accounts';
import type { BrokerId } from '../brokers/broker-adapter';
import type { AccountState } from './tokens.service';
import type { TokenView } from './read/token-body';
import type { ImportedTokenView } from './token.views';
import type { ReportOutcome } from './token-report.service';
import type { VerificationReason } from './token-verification';
import type { VerificationResultView, VerificationView, VerifyAllView } from './token.views';

// The shapes the token routes answer, for the OpenAPI document: the routes build plain objects (token.views.ts, read/token-body.ts);
// `implements` keeps these classes in step with them.

export class TokenRecordResponse implements ImportedTokenView {
  @ApiProperty({ example: 'YA0002', description: "The account: the default broker's id bare, another broker's as broker:id (zerodha:AB1234)" })
  clientId: string;
  @ApiProperty({ enum: [...BROKER_IDS], example: 'pocketful', description: 'The broker whose token it is' })
  broker: BrokerId;
  @ApiProperty({ example: 'bearer' })
  tokenType: string;
  @ApiProperty({ example: 'orders holdings' })
  scope: string;
  @ApiProperty({ enum: ['login', 'import'], example: 'login', description: 'How the token reached the vault' })
  source: string;
  @ApiProperty({ example: '2026-11-23T08:55:12+05:30', description: 'IST, ISO-8601' })
  issuedAt: string;
  @ApiProperty({ example: '2026-11-24T00:00:00+05:30', description: "IST, ISO-8601: at the latest its broker's next cut-off (Pocketful's midnight IST by default)" })
  expiresAt: string;
  @ApiProperty({ example: 54288, minimum: 0, description: 'Seconds until expiresAt' })
  expiresIn: number;
}

export class TokenResponse extends TokenRecordResponse implements TokenView {
  @ApiProperty({ example: 'eyJhbGciOi…', description: "Pocketful's access token: send it as Authorization: Bearer to Pocketful" })
  accessToken: string;
}

export class AccountResponse {
  @ApiProperty({ example: 'YA0002', description: "The default broker's id bare, another broker's as broker:id (zerodha:AB1234)" })
  clientId: string;
  @ApiProperty({ enum: [...BROKER_IDS], example: 'pocketful' })
  broker: BrokerId;
  @ApiProperty({ enum: ['live', 'expired', 'missing'], example: 'live' })
  state: AccountState;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'login' })
  source: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: '2026-11-23T08:55:12+05:30' })
  issuedAt: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: '2026-11-24T00:00:00+05:30' })
  expiresAt: string | null;
  @ApiProperty({ example: 54288, minimum: 0, description: 'Seconds left of a live token, else 0' })
  expiresIn: number;
}

export class AccountsResponse {
  @ApiProperty({ type: [AccountResponse] })
  accounts: AccountResponse[];
}

export class ReportOutcomeResponse implements ReportOutcome {
  @ApiProperty({ example: 'YA0002' })
  clientId: string;
  @ApiProperty({
    enum: ['invalid', 'live', 'checking'],
    example: 'invalid',
    description: '`invalid`: Pocketful refused the token and it was removed; `live`: Pocketful accepts it; `checking`: another report is being checked',
  })
  verdict: ReportOutcome['verdict'];
  @ApiProperty({ example: true, description: 'False when a recent check answered this report' })
  checked: boolean;
  @ApiProperty({ example: 30, description: 'Seconds until a report of this account leads to a new check' })
  nextCheckIn: number;
}

const VERIFICATION_REASONS: VerificationReason[] = [
  'token_rejected',
  'wrong_account',
  'broker_timeout',
  'broker_unavailable',
  'broker_malformed_response',
  'broker_rejected',
  'check_in_progress',
];
const REASON_DESCRIPTION =
  'Absent when valid. false: `token_rejected` (the broker refused it) or `wrong_account` (the broker says it is another account\'s); ' +
  'null: the broker\'s failure (`broker_timeout`, `broker_unavailable`, `broker_malformed_response`, `broker_rejected`) or `check_in_progress` (another replica\'s check did not end in time)';

export class VerificationResultResponse implements VerificationResultView {
  @ApiProperty({ example: 'YA0002' })
  clientId: string;
  @ApiProperty({
    type: Boolean,
    nullable: true,
    example: false,
    description: 'true: the broker accepts the token as this account\'s; false: it does not, and the token was removed; null: no verdict, nothing removed',
  })
  valid: boolean | null;
  @ApiPropertyOptional({ enum: VERIFICATION_REASONS, example: 'token_rejected', description: REASON_DESCRIPTION })
  reason?: VerificationReason;
}

export class VerificationResponse extends VerificationResultResponse implements VerificationView {
  @ApiProperty({ example: '2026-11-24T08:45:02+05:30', description: 'IST, ISO-8601: when the broker was asked (up to 30 s before, for a verdict shared from a recent check)' })
  checkedAt: string;
}

export class VerifyAllResponse implements VerifyAllView {
  @ApiProperty({ example: '2026-11-24T08:45:02+05:30', description: 'IST, ISO-8601: when the checks began' })
  checkedAt: string;
  @ApiProperty({ type: [VerificationResultResponse], description: 'One per account holding a live token, by account id' })
  results: VerificationResultResponse[];
}
