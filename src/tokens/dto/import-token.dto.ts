import { IsString, Length, Matches } from 'class-validator';

export class ImportTokenDto {
  @IsString({ message: 'accessToken must be a string' })
  @Length(16, 4096, { message: 'accessToken must be 16 to 4096 characters' })
  @Matches(/^[\x21-\x7e]+$/, { message: 'accessToken must be printable ASCII with no spaces' })
  accessToken: string;
}
