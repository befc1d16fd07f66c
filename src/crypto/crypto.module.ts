import { Global, Module } from '@nestjs/common';
import { TokenFingerprint } from './token-fingerprint';

/** Naming tokens without revealing them, for the audit trail. (The cipher belongs to the Redis token store.) */
@Global()
@Module({ providers: [TokenFingerprint], exports: [TokenFingerprint] })
export class CryptoModule {}
