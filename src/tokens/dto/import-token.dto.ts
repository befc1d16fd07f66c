import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';

export class ImportTokenDto {
  @ApiProperty({ minLength: 16, maxLength: 4096, pattern: '^[\\x21-\\x7e]+$', example: 'eyJhbGciOiJIUzI1NiJ9.example.signature', description: "The access token from Pocketful's dashboard" })
  @IsString({ message: 'accessToken must be a string' })
  @Length(16, 4096, { message: 'accessToken must be 16 to 4096 characters' })
  @Matches(/^[\x21-\x7e]+$/, { message: 'accessToken must be printable ASCII with no spaces' })
  accessToken: string;
}
