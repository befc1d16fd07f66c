import { VaultError } from './vault-error';

export interface VaultHttpOptions {
  url: string;
  serviceKey: string;
  timeoutMs: number;
  maxRetries: number;
  maxRetryWaitMs: number;
}

interface Answer {
  status: number;
  body: unknown;
  retryAfter: number | undefined;
}

/**
 * One call to the vault: the service key as a bearer token, a time limit, `429` answered by sleeping what
 * Retry-After says (capped) a bounded number of times, and every other failure as a VaultError.
 */
export class VaultHttp {
  // A private field: util.inspect and JSON.stringify of the client never show it.
  readonly #authorization: string;
  private readonly base: string;
  private readonly host: string;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly maxRetryWaitMs: number;

  constructor(options: VaultHttpOptions) {
    const url = new URL(options.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('the vault URL must be http(s)');
    if (!/^[\x21-\x7e]+$/.test(options.serviceKey)) throw new TypeError('the service key must be set, printable and without spaces');
    this.#authorization = `Bearer ${options.serviceKey}`;
    this.base = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
    this.host = url.host;
    this.timeoutMs = options.timeoutMs;
    this.maxRetries = options.maxRetries;
    this.maxRetryWaitMs = options.maxRetryWaitMs;
  }

  /** The JSON body of a 2xx answer; `extraMs` lengthens the time limit of a request the vault holds on purpose. */
  async call(method: 'GET' | 'POST', path: string, extraMs = 0): Promise<unknown> {
    for (let retries = 0; ; retries += 1) {
      const answer = await this.once(method, path, this.timeoutMs + extraMs);
      if (answer.status >= 200 && answer.status < 300 && answer.body !== undefined) return answer.body;
      const error = errorOf(answer);
      if (error.status !== 429 || retries >= this.maxRetries) throw error;
      await sleep(Math.min((error.retryAfter ?? 1) * 1000, this.maxRetryWaitMs));
    }
  }

  private async once(method: string, path: string, limitMs: number): Promise<Answer> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), limitMs);
    try {
      const response = await fetch(`${this.base}${path}`, {
        method,
        headers: { authorization: this.#authorization, accept: 'application/json' },
        // A redirect is not followed: the key would go wherever it points.
        redirect: 'manual',
        signal: controller.signal,
      });
      const text = await response.text();
      return { status: response.status, body: parsedJson(text), retryAfter: retryAfterOf(response.headers.get('retry-after')) };
    } catch (error) {
      if (controller.signal.aborted) throw new VaultError(0, 'timeout', `the vault at ${this.host} did not answer within ${limitMs} ms`);
      throw new VaultError(0, 'network_error', `the vault at ${this.host} could not be reached (${reasonOf(error)})`);
    } finally {
      clearTimeout(timer);
    }
  }
}

function errorOf({ status, body, retryAfter }: Answer): VaultError {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as { error?: unknown; message?: unknown };
  if (status >= 400 && typeof fields.error === 'string' && typeof fields.message === 'string') {
    return new VaultError(status, fields.error, fields.message, retryAfter);
  }
  // A proxy's error page, a redirect, or a 2xx that is not JSON: nothing of it is repeated, it could hold anything.
  return new VaultError(status, 'unexpected_response', `the vault answered HTTP ${status} without its JSON`, retryAfter);
}

function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Seconds, or an HTTP date; anything else counts as not said. */
function retryAfterOf(header: string | null): number | undefined {
  if (header === null) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** The system's error code (ECONNREFUSED, …) that fetch wraps in its `cause`, never the error's text. */
function reasonOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; name?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.name === 'string') return cause.name;
  return error instanceof Error ? error.name : 'unknown';
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
