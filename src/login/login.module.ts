import { DynamicModule, Module } from '@nestjs/common';
import { PocketfulModule } from '../brokers/pocketful/pocketful.module';
import { StorageKind } from '../redis/storage.config';
import { LoginCookies } from './login-cookie';
import { LoginController } from './login.controller';
import { BrokerLoginController } from './broker-login.controller';
import { RedirectUrlWarning } from './redirect-url-warning';
import { LoginService } from './login.service';
import { LoginStateStore } from './login-state.store';
import { MemoryLoginStateStore } from './memory-login-state.store';
import { RedisLoginStateStore } from './redis-login-state.store';

@Module({})
export class LoginModule {
  static forRoot(kind: StorageKind): DynamicModule {
    return {
      module: LoginModule,
      imports: [PocketfulModule],
      controllers: [LoginController, BrokerLoginController],
      providers: [
        { provide: LoginStateStore, useClass: kind === 'redis' ? RedisLoginStateStore : MemoryLoginStateStore },
        LoginService,
        LoginCookies,
        RedirectUrlWarning,
      ],
    };
  }
}
