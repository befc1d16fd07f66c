import { Module } from '@nestjs/common';
import { PocketfulModule } from '../pocketful/pocketful.module';
import { TokensModule } from '../tokens/tokens.module';
import { LoginController } from './login.controller';
import { LoginService } from './login.service';

@Module({
  imports: [PocketfulModule, TokensModule],
  controllers: [LoginController],
  providers: [LoginService],
})
export class LoginModule {}
