import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Length, Matches, ValidateIf } from 'class-validator';
import { BROKER_IDS } from '../../brokers/accounts';

export class ImportTokenDto {
  @ApiProperty({ minLength: 16, maxLength: 4096, pattern: '^[\\x21-\\x7e]+$', example: 'eyJhbGciOiJIUzI1NiJ9.example.signature', description: "The access token, as the broker's dashboard or API gave it" })
  @IsString({ message: 'accessToken must be a string' })
  @Length(16, 4096, { message: 'accessToken must be 16 to 4096 characters' })
  @Matches(/^[\x21-\x7e]+$/, { message: 'accessToken must be printable ASCII with no spaces' })
  accessToken: string;

  /** Checked against the brokers that are on by AccountBrokers.named, which answers broker_not_enabled. */
  @ApiPropertyOptional({
    enum: [...BROKER_IDS],
    example: 'zerodha',
    description: "The token's broker, which must be on in this vault; absent, the default broker (the one REDIRECT_URL names)",
  })
  // Absent is the default broker; null is no broker's name.
  @ValidateIf((_dto, value) => value !== undefined)
  @IsString({ message: 'broker must be a string, such as "zerodha"' })
  broker?: string;
}
