"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.sleep = exports.VaultHttp = void 0;
const node_http_1 = require("node:http");
const node_https_1 = require("node:https");
const vault_error_1 = require("./vault-error");
/** The longest error body read from an answer that is not the stream asked for: enough for the vault's JSON. */
const MOST_ERROR_BODY_BYTES = 64 * 1024;
/**
 * The requests to the vault: the service key as a bearer token, a time limit, `429` answered by sleeping what
 * Retry-After says (capped) a bounded number of times, and every other failure as a VaultError. It speaks through
 * `node:http(s)` with an agent of its own, because Node's `fetch` cannot be given a CA without a dependency.
 */
class VaultHttp {
    // Private fields: util.inspect and JSON.stringify of the client never show them, nor (through the agent's sockets)
    // the headers of a request in flight.
    #authorization;
    #agent;
    base;
    prefix;
    host;
    timeoutMs;
    maxRetries;
    maxRetryWaitMs;
    constructor(options) {
        let url;
        try {
            url = new URL(options.url);
        }
        catch {
            throw new TypeError('the vault URL must be a URL, such as http://vault:5000');
        }
        if (url.protocol !== 'http:' && url.protocol !== 'https:')
            throw new TypeError('the vault URL must be http(s)');
        if (url.username || url.password)
            throw new TypeError('the vault URL must hold no user or password: the service key is all the vault takes');
        if (typeof options.serviceKey !== 'string' || !/^[\x21-\x7e]+$/.test(options.serviceKey)) {
            throw new TypeError('the service key must be set, printable and without spaces');
        }
        if (options.ca !== undefined && url.protocol !== 'https:')
            throw new TypeError('a CA is only for an https vault URL');
        this.#authorization = `Bearer ${options.serviceKey}`;
        this.base = url;
        this.prefix = url.pathname.replace(/\/+$/, '');
        this.host = url.host;
        // Idle keep-alive sockets are unreferenced by Node's agent: they never hold a process open.
        this.#agent = url.protocol === 'https:' ? new node_https_1.Agent({ keepAlive: true, ca: options.ca }) : new node_http_1.Agent({ keepAlive: true });
        this.timeoutMs = options.timeoutMs;
        this.maxRetries = options.maxRetries;
        this.maxRetryWaitMs = options.maxRetryWaitMs;
    }
    /** The JSON body of a 2xx answer; `extraMs` lengthens the time limit of a request the vault holds on purpose. */
    async call(method, path, extraMs = 0) {
        for (let retries = 0;; retries += 1) {
            const answer = await this.once(method, path, this.timeoutMs + extraMs);
            if (answer.status >= 200 && answer.status < 300 && answer.body !== undefined)
                return answer.body;
            const error = errorOf(answer);
            if (error.status !== 429 || retries >= this.maxRetries)
                throw error;
            await (0, exports.sleep)(Math.min((error.retryAfter ?? 1) * 1000, this.maxRetryWaitMs));
        }
    }
    /**
     * A GET whose answer is read as it comes (an event stream): resolves once a 2xx answer of `contentType` has
     * begun, within the time limit. Anything else is read whole and thrown as a VaultError, as `call` does.
     */
    async open(path, contentType, headers, signal) {
        const exchange = this.exchange('GET', path, { ...headers, accept: contentType });
        const timer = setTimeout(() => exchange.cancel(this.timeout(this.timeoutMs)), this.timeoutMs);
        const abort = () => exchange.cancel(new vault_error_1.VaultError(0, 'closed', 'the stream was closed while it was being opened'));
        signal.addEventListener('abort', abort, { once: true });
        if (signal.aborted)
            abort();
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
        }
        catch (error) {
            const failure = this.asVaultError(exchange.reason ?? error);
            exchange.end();
            throw failure;
        }
        finally {
            clearTimeout(timer);
            signal.removeEventListener('abort', abort);
        }
    }
    async once(method, path, limitMs) {
        const exchange = this.exchange(method, path, { accept: 'application/json' });
        const timer = setTimeout(() => exchange.cancel(this.timeout(limitMs)), limitMs);
        try {
            const response = await exchange.response;
            const text = await readText(response);
            return { status: response.statusCode ?? 0, body: parsedJson(text), retryAfter: retryAfterOf(response.headers['retry-after']) };
        }
        catch (error) {
            throw this.asVaultError(exchange.reason ?? error);
        }
        finally {
            clearTimeout(timer);
        }
    }
    /** One request, sent now; no redirect is followed. */
    exchange(method, path, headers) {
        const send = this.base.protocol === 'https:' ? node_https_1.request : node_http_1.request;
        const outgoing = send({
            protocol: this.base.protocol,
            hostname: this.base.hostname.replace(/^\[|\]$/g, ''),
            port: this.base.port || undefined,
            path: `${this.prefix}${path}`,
            method,
            agent: this.#agent,
            headers: { ...headers, authorization: this.#authorization },
        });
        const response = new Promise((resolve, reject) => {
            outgoing.once('response', resolve);
            // Kept for the request's life: an error after the answer began (a cut connection) is then no uncaught event.
            outgoing.on('error', reject);
        });
        outgoing.end();
        const exchange = {
            response,
            reason: undefined,
            cancel: (reason) => {
                exchange.reason ??= reason;
                if (!outgoing.destroyed)
                    outgoing.destroy(reason);
            },
            end: () => {
                if (!outgoing.destroyed)
                    outgoing.destroy();
            },
        };
        return exchange;
    }
    timeout(limitMs) {
        return new vault_error_1.VaultError(0, 'timeout', `the vault at ${this.host} did not answer within ${limitMs} ms`);
    }
    asVaultError(error) {
        if (error instanceof vault_error_1.VaultError)
            return error;
        return new vault_error_1.VaultError(0, 'network_error', `the vault at ${this.host} could not be reached (${reasonOf(error)})`);
    }
}
exports.VaultHttp = VaultHttp;
function errorOf({ status, body, retryAfter }) {
    const fields = (typeof body === 'object' && body !== null ? body : {});
    if (status >= 400 && typeof fields.error === 'string' && typeof fields.message === 'string') {
        return new vault_error_1.VaultError(status, fields.error, fields.message, retryAfter);
    }
    // A proxy's error page, a redirect, or a 2xx that is not what was asked: nothing of it is repeated, it could hold anything.
    return new vault_error_1.VaultError(status, 'unexpected_response', `the vault answered HTTP ${status} without its JSON`, retryAfter);
}
/** The body as text; past `most` bytes the rest is left unread (an error page is not worth more). */
function readText(response, most = Infinity) {
    return new Promise((resolve, reject) => {
        const chunks = [];
        let size = 0;
        response.on('data', (chunk) => {
            if (size >= most)
                return;
            chunks.push(chunk);
            size += chunk.length;
            if (size >= most)
                resolve(Buffer.concat(chunks).toString('utf8'));
        });
        response.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        response.once('error', reject);
        // A connection cut before the end: 'end' never comes.
        response.once('close', () => reject(Object.assign(new Error('the answer was cut short'), { code: 'ECONNRESET' })));
    });
}
function parsedJson(text) {
    try {
        return JSON.parse(text);
    }
    catch {
        return undefined;
    }
}
/** Seconds, or an HTTP date; anything else counts as not said. */
function retryAfterOf(header) {
    if (typeof header !== 'string')
        return undefined;
    if (/^\d+$/.test(header.trim()))
        return Number(header.trim());
    const date = Date.parse(header);
    return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}
/** Certificate checks that fail when the vault's certificate is signed by a CA this client was not given. */
const UNTRUSTED = new Set(['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']);
/** The system's or TLS's error code (ECONNREFUSED, …), never the error's text, which could hold anything. */
function reasonOf(error) {
    const code = error.code;
    if (typeof code === 'string')
        return UNTRUSTED.has(code) ? `${code}: its certificate is not signed by a CA this client trusts; give the client its CA` : code;
    return error instanceof Error ? error.name : 'unknown';
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
exports.sleep = sleep;
