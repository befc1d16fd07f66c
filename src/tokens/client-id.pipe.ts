import { Injectable, PipeTransform } from '@nestjs/common';
import { invalidClientId } from '../errors/vault-error';
import { isClientId, normalizeClientId } from '../pocketful/client-id';

@Injectable()
export class ClientIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    const normalized = typeof value === 'string' ? normalizeClientId(value) : value;
    if (!isClientId(normalized)) throw invalidClientId();
    return normalized;
  }
}
