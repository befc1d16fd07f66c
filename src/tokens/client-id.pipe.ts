import { Injectable, PipeTransform } from '@nestjs/common';
import { invalidClientId } from '../errors/vault-error';
import { isClientId, normalizeClientId } from '../brokers/client-id';

/** An account id from a path, upper-cased, or 400 invalid_client_id. */
export function parseClientId(value: unknown): string {
  const normalized = typeof value === 'string' ? normalizeClientId(value) : value;
  if (!isClientId(normalized)) throw invalidClientId();
  return normalized;
}

@Injectable()
export class ClientIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    return parseClientId(value);
  }
}
