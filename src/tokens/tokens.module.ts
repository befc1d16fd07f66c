import { Module } from '@nestjs/common';
import { PocketfulModule } from '../pocketful/pocketful.module';
import { AccountsController } from './accounts.controller';
import { TokensController } from './tokens.controller';
import { TokenEvents } from './token-events';
import { TokenReportService } from './token-report.service';
import { TokensService } from './tokens.service';

@Module({
  imports: [PocketfulModule],
  controllers: [TokensController, AccountsController],
  providers: [TokensService, TokenReportService, TokenEvents],
  exports: [TokensService, TokenEvents],
})
export class TokensModule {}
