import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { PocketfulClient } from './pocketful.client';

@Module({
  imports: [HttpModule],
  providers: [PocketfulClient],
  exports: [PocketfulClient],
})
export class PocketfulModule {}
