import { ApiProperty } from '@nestjs/swagger';
import { AUDIT_ACTIONS, AuditAction } from './audit-log';

// The shape GET /v1/audit answers, for the OpenAPI document.

export class AuditEntryResponse {
  @ApiProperty({ example: '1763868312000-0', description: 'Its place in the trail; pass the page\'s `next` as `before` to go on' })
  id: string;
  @ApiProperty({ example: '2026-11-23T08:55:12+05:30', description: 'IST, ISO-8601' })
  at: string;
  @ApiProperty({ enum: AUDIT_ACTIONS, example: 'read' })
  action: AuditAction;
  @ApiProperty({ example: 'ok', description: '`ok`, or why not: an error code, `not_found`, `invalid`, `live`…' })
  result: string;
  @ApiProperty({ type: String, nullable: true, example: 'strategy-a', description: 'The service client, `browser` for a login, null when nobody was authenticated' })
  client: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'YA0002' })
  account: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'req-1' })
  requestId: string | null;
  @ApiProperty({ type: String, nullable: true, example: '10.0.0.7' })
  remote: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'a1b2c3d4e5f6', description: 'A keyed fingerprint of the token, never the token' })
  fingerprint: string | null;
}

export class AuditPageResponse {
  @ApiProperty({ type: [AuditEntryResponse], description: 'Newest first' })
  entries: AuditEntryResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `before` for the next, older page; null at the end' })
  next: string | null;
}
