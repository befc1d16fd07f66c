import { Agent as HttpAgent, IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { VaultError } from './vault-error';

/** PEM text of one or more CA certificates, as `node:tls` takes it. */
export type CertificateAuthority = string | Buffer | Array<string | Buffer>;

export interface VaultHttpOptions {
  url: string;
  serviceKey: string;
  timeoutMs: number;
  maxRetries: number;
  maxRetryWaitMs: number;
  ca?: CertificateAuthority;
}

interface Answer {
  status: number;
  body: unknown;
  retryAfter: number | undefined;
}

interface Exchange {
  response: Promise<IncomingMessage>;
  /** Why it was cancelled, first reason first: what a failure that follows is reported as. */
  reason: Error | undefined;
  cancel(reason: Error): void;
  /** Ends the request and its connection, giving no reason: it is done with. */
  end(): void;
}

/** An answer whose body is still to be read: the head of an event stream. */
export interface OpenAnswer {
  body: IncomingMessage;
  /** Ends the request and its connection; the body's reads end too. */
  close(): void;
}

/** The longest error body read from an answer that is not the stream asked for: enough for the vault's JSON. */
const MOST_ERROR_BODY_BYTES = 64 * 1024;

/**
 * The requests to the vault: the service key as a bearer token, a time limit, `429` answered by sleeping what
 * Retry-After says (capped) a bounded number of times, and every other failure as a VaultError. It speaks through
 * `node:http(s)` with an agent of its own, because Node's `fetch` cannot be given a CA without a dependency.
 */
export class VaultHttp {
  // Private fields: util.inspect and JSON.stringify of the client never show them, nor (through the agent's sockets)
  // the headers of a request in flight.
  readonly #authorization: string;
  readonly #agent: HttpAgent;
  private readonly base: URL;
  private readonly prefix: string;
  private readonly host: string;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly maxRetryWaitMs: number;

  constructor(options: VaultHttpOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new TypeError('the vault URL must be a URL, such as http://vault:5000');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('the vault URL must be http(s)');
    if (url.username || url.password) throw new TypeError('the vault URL must hold no user or password: the service key is all the vault takes');
    if (typeof options.serviceKey !== 'string' || !/^[\x21-\x7e]+$/.test(options.serviceKey)) {
      throw new TypeError('the service key must be set, printable and without spaces');
    }
    if (options.ca !== undefined && url.protocol !== 'https:') throw new TypeError('a CA is only for an https vault URL');
    this.#authorization = `Bearer ${options.serviceKey}`;
    this.base = url;
    this.prefix = url.pathname.replace(/\/+$/, '');
    this.host = url.host;
    // Idle keep-alive sockets are unreferenced by Node's agent: they never hold a process open.
    this.#agent = url.protocol === 'https:' ? new HttpsAgent({ keepAlive: true, ca: options.ca }) : new HttpAgent({ keepAlive: true });
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

  /**
   * A GET whose answer is read as it comes (an event stream): resolves once a 2xx answer of `contentType` has
   * begun, within the time limit. Anything else is read whole and thrown as a VaultError, as `call` does.
   */
  async open(path: string, contentType: string, headers: Record<string, string>, signal: AbortSignal): Promise<OpenAnswer> {
    const exchange = this.exchange('GET', path, { ...headers, accept: contentType });
    const timer = setTimeout(() => exchange.cancel(this.timeout(this.timeoutMs)), this.timeoutMs);
    const abort = () => exchange.cancel(new VaultError(0, 'closed', 'the stream was closed while it was being opened'));
    signal.addEventListener('abort', abort, { once: true });
    if (signal.aborted) abort();
    try {
      const response = await exchange.response;
      const type = String(response.headers['content-type'] ?? '');
      const status = response.statusCode ?? 0;
      if (status >= 200 && status < 300 && type.split(';')[0].trim().toLowerCase() === contentType) {
        return { body: response, close: () => exchange.end() };
      }
      const text = await readText(response, MOST_ERROR_BODY_BYTES);
      exchange.end();
      throw errorOf({ status, body: status >= 200 && status < 300 ? undefined : parsedJson(text), retryAfter: retryAfterOf(response.headers['retry-after']) });
    } catch (error) {
      const failure = this.asVaultError(exchange.reason ?? error);
      exchange.end();
      throw failure;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
    }
  }

  private async once(method: string, path: string, limitMs: number): Promise<Answer> {
    const exchange = this.exchange(method, path, { accept: 'application/json' });
    const timer = setTimeout(() => exchange.cancel(this.timeout(limitMs)), limitMs);
    try {
      const response = await exchange.response;
      const text = await readText(response);
      return { status: response.statusCode ?? 0, body: parsedJson(text), retryAfter: retryAfterOf(response.headers['retry-after']) };
    } catch (error) {
      throw this.asVaultError(exchange.reason ?? error);
    } finally {
      clearTimeout(timer);
    }
  }

  /** One request, sent now; no redirect is followed. */
  private exchange(method: string, path: string, headers: Record<string, string>): Exchange {
    const send = this.base.protocol === 'https:' ? httpsRequest : httpRequest;
    const outgoing = send({
      protocol: this.base.protocol,
      hostname: this.base.hostname.replace(/^\[|\]$/g, ''),
      port: this.base.port || undefined,
      path: `${this.prefix}${path}`,
      method,
      agent: this.#agent,
      headers: { ...headers, authorization: this.#authorization },
    });
    const response = new Promise<IncomingMessage>((resolve, reject) => {
      outgoing.once('response', resolve);
      // Kept for the request's life: an error after the answer began (a cut connection) is then no uncaught event.
      outgoing.on('error', reject);
    });
    outgoing.end();
    const exchange: Exchange = {
      response,
      reason: undefined,
      cancel: (reason) => {
        exchange.reason ??= reason;
        if (!outgoing.destroyed) outgoing.destroy(reason);
      },
      end: () => {
        if (!outgoing.destroyed) outgoing.destroy();
      },
    };
    return exchange;
  }

  private timeout(limitMs: number): VaultError {
    return new VaultError(0, 'timeout', `the vault at ${this.host} did not answer within ${limitMs} ms`);
  }

  private asVaultError(error: unknown): VaultError {
    if (error instanceof VaultError) return error;
    return new VaultError(0, 'network_error', `the vault at ${this.host} could not be reached (${reasonOf(error)})`);
  }
}

function errorOf({ status, body, retryAfter }: Answer): VaultError {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as { error?: unknown; message?: unknown };
  if (status >= 400 && typeof fields.error === 'string' && typeof fields.message === 'string') {
    return new VaultError(status, fields.error, fields.message, retryAfter);
  }
  // A proxy's error page, a redirect, or a 2xx that is not what was asked: nothing of it is repeated, it could hold anything.
  return new VaultError(status, 'unexpected_response', `the vault answered HTTP ${status} without its JSON`, retryAfter);
}

/** The body as text; past `most` bytes the rest is left unread (an error page is not worth more). */
function readText(response: IncomingMessage, most = Infinity): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      if (size >= most) return;
      chunks.push(chunk);
      size += chunk.length;
      if (size >= most) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    response.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.once('error', reject);
    // A connection cut before the end: 'end' never comes.
    response.once('close', () => reject(Object.assign(new Error('the answer was cut short'), { code: 'ECONNRESET' })));
  });
}

function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Seconds, or an HTTP date; anything else counts as not said. */
function retryAfterOf(header: string | string[] | undefined): number | undefined {
  if (typeof header !== 'string') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** Certificate checks that fail when the vault's certificate is signed by a CA this client was not given. */
const UNTRUSTED = new Set(['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']);

/** The system's or TLS's error code (ECONNREFUSED, …), never the error's text, which could hold anything. */
function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return UNTRUSTED.has(code) ? `${code}: its certificate is not signed by a CA this client trusts; give the client its CA` : code;
  return error instanceof Error ? error.name : 'unknown';
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
