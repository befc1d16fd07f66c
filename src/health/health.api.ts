import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

// What Terminus answers for /health/*, for the OpenAPI document: each indicator's state by name.

const INDICATOR: SchemaObject = { type: 'object', properties: { status: { type: 'string', enum: ['up', 'down'] } }, additionalProperties: true };
const INDICATORS = { type: 'object' as const, additionalProperties: INDICATOR };

export class HealthResponse {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status: string;
  @ApiPropertyOptional({ ...INDICATORS, example: { store: { status: 'up' } } })
  info?: Record<string, unknown>;
  @ApiPropertyOptional({ ...INDICATORS, example: {} })
  error?: Record<string, unknown>;
  @ApiPropertyOptional({ ...INDICATORS, example: { store: { status: 'up' }, keys: { status: 'up', sealing: 'k1' } } })
  details?: Record<string, unknown>;
}
