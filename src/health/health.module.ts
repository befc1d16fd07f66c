import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ClientsFileHealthIndicator } from './clients-file.health';
import { HealthController } from './health.controller';
import { KeyringHealthIndicator } from './keyring.health';
import { StoreHealthIndicator } from './store.health';

@Module({
  imports: [TerminusModule.forRoot({ logger: false, errorLogStyle: 'json' })],
  controllers: [HealthController],
  providers: [StoreHealthIndicator, KeyringHealthIndicator, ClientsFileHealthIndicator],
  exports: [StoreHealthIndicator, KeyringHealthIndicator, ClientsFileHealthIndicator],
})
export class HealthModule {}
