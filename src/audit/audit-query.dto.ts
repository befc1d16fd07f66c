import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, Matches, Max, Min } from 'class-validator';
import { AUDIT_ACTIONS, AuditKind } from './audit-log';
import { TRAIL_ID } from './trail-position';

const ACTION = `(${AUDIT_ACTIONS.join('|')})`;

export class AuditQueryDto {
  @ApiPropertyOptional({ example: 'YA0002', description: "Only this account: the default broker's id bare, or broker:id (zerodha:AB1234)" })
  @IsOptional()
  @Matches(/^([A-Za-z]+:)?[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, { message: 'account must be an account id such as YA0002 or zerodha:AB1234' })
  account?: string;

  @ApiPropertyOptional({ example: 'strategy-a', description: 'Only this service client' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: 'client must be a service client name' })
  client?: string;

  @ApiPropertyOptional({ example: '2026-11-23T09:00:00+05:30', description: 'ISO-8601; entries at or after' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'since must be an ISO-8601 time, such as 2026-11-23T09:00:00+05:30' })
  since?: string;

  @ApiPropertyOptional({ example: '2026-11-23T18:00:00+05:30', description: 'ISO-8601; entries at or before' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'until must be an ISO-8601 time, such as 2026-11-23T18:00:00+05:30' })
  until?: string;

  /** One action or several, separated by commas: `refused` for the refusals only. */
  @ApiPropertyOptional({ example: 'read,refused', description: `One or more of ${AUDIT_ACTIONS.join(', ')}, separated by commas` })
  @IsOptional()
  @Matches(new RegExp(`^${ACTION}(,${ACTION})*$`), { message: `action must be one or more of ${AUDIT_ACTIONS.join(', ')}, separated by commas` })
  action?: string;

  /** `done` for what was done, `refused` for what was refused or failed. */
  @ApiPropertyOptional({ enum: ['done', 'refused'], description: 'What was done, or what was refused or failed' })
  @IsOptional()
  @IsIn(['done', 'refused'], { message: 'kind must be done or refused' })
  kind?: AuditKind;

  @ApiPropertyOptional({ description: 'The `next` of a previous page' })
  @IsOptional()
  @Matches(TRAIL_ID, { message: 'before must be the next value of a previous page' })
  before?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value))
  @IsInt({ message: 'limit must be a whole number from 1 to 500' })
  @Min(1, { message: 'limit must be a whole number from 1 to 500' })
  @Max(500, { message: 'limit must be a whole number from 1 to 500' })
  limit?: number;
}
