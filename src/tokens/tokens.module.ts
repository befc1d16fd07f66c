import { Module } from '@nestjs/common';
import { PocketfulModule } from '../pocketful/pocketful.module';
import { AccountsController } from './accounts.controller';
import { TokensController } from './tokens.controller';
import { TokensService } from './tokens.service';

@Module({
  imports: [PocketfulModule],
  controllers: [TokensController, AccountsController],
  providers: [TokensService],
  exports: [TokensService],
})
export class TokensModule {}
