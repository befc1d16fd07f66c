import { request } from 'node:http';

export interface RawRequest {
  method: string;
  /** Sent exactly as written, on a connection of its own: no normalisation of `..`, encoding or case, unlike fetch. */
  path: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  /** The address the connection comes from, e.g. 127.0.0.2: any 127.x address reaches a vault on 127.0.0.1. */
  localAddress?: string;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export function rawRequest(baseUrl: string, raw: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: url.hostname, port: url.port, method: raw.method, path: raw.path, headers: raw.headers, agent: false, localAddress: raw.localAddress },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, text: Buffer.concat(chunks).toString('utf8') }));
        incoming.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(raw.body);
  });
}
