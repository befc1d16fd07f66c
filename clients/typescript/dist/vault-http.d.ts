import { IncomingMessage } from 'node:http';
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
/** An answer whose body is still to be read: the head of an event stream. */
export interface OpenAnswer {
    body: IncomingMessage;
    /** Ends the request and its connection; the body's reads end too. */
    close(): void;
}
/**
 * The requests to the vault: the service key as a bearer token, a time limit, `429` answered by sleeping what
 * Retry-After says (capped) a bounded number of times, and every other failure as a VaultError. It speaks through
 * `node:http(s)` with an agent of its own, because Node's `fetch` cannot be given a CA without a dependency.
 */
export declare class VaultHttp {
    #private;
    private readonly base;
    private readonly prefix;
    private readonly host;
    private readonly timeoutMs;
    private readonly maxRetries;
    private readonly maxRetryWaitMs;
    constructor(options: VaultHttpOptions);
    /** The JSON body of a 2xx answer; `extraMs` lengthens the time limit of a request the vault holds on purpose. */
    call(method: 'GET' | 'POST', path: string, extraMs?: number): Promise<unknown>;
    /**
     * A GET whose answer is read as it comes (an event stream): resolves once a 2xx answer of `contentType` has
     * begun, within the time limit. Anything else is read whole and thrown as a VaultError, as `call` does.
     */
    open(path: string, contentType: string, headers: Record<string, string>, signal: AbortSignal): Promise<OpenAnswer>;
    private once;
    /** One request, sent now; no redirect is followed. */
    private exchange;
    private timeout;
    private asVaultError;
}
export declare const sleep: (ms: number) => Promise<void>;
