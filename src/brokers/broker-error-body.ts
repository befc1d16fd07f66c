import { scrubSecrets } from './echoed-secrets';

export interface BrokerErrorDetail {
  code?: string;
  description?: string;
}

const MAX_DESCRIPTION = 300;

/**
 * Brokers answer errors in their own shapes: Pocketful's login server OAuth2's `{error, error_description}` and its
 * API `{status:"error", message, error_code}`; Kite `{status:"error", message, error_type}`; Upstox
 * `{status:"error", errors:[{errorCode, message}]}`; Fyers `{s:"error", code, message}`; Dhan
 * `{errorType, errorCode, errorMessage}`; and a proxy in front of
 * any of them anything at all. Reads whichever is there, and keeps out any secret the request carried in case the broker echoes it, in any of the
 * forms it may come back in (echoed-secrets.ts).
 */
export function readBrokerErrorBody(body: unknown, secrets: readonly string[]): BrokerErrorDetail {
  if (typeof body === 'string') body = tryParseJson(body);
  if (!body || typeof body !== 'object' || Array.isArray(body)) return {};
  const record = body as Record<string, unknown>;
  const first = firstError(record.errors);
  const fyersCode = record.s === 'error' ? record.code : undefined;
  const code = firstText(record.error, record.error_code, record.error_type, first?.errorCode, fyersCode, record.errorCode);
  const description = firstText(record.error_description, record.message, record.error_hint, first?.message, record.errorMessage);
  return {
    code: code === undefined ? undefined : clean(code, secrets).slice(0, 64),
    description: description === undefined ? undefined : clean(description, secrets),
  };
}

/** Upstox lists its errors; the first says what went wrong. */
function firstError(errors: unknown): Record<string, unknown> | undefined {
  const first: unknown = Array.isArray(errors) ? errors[0] : undefined;
  return first && typeof first === 'object' && !Array.isArray(first) ? (first as Record<string, unknown>) : undefined;
}

function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function firstText(...values: unknown[]): string | undefined {
  for (const value of values) {
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  }
  return undefined;
}

function clean(text: string, secrets: readonly string[]): string {
  const result = scrubSecrets(text.replace(/[\u0000-\u001f\u007f]+/g, ' '), secrets);
  return result.length > MAX_DESCRIPTION ? `${result.slice(0, MAX_DESCRIPTION)}…` : result;
}
