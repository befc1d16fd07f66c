/** The part of a Fastify reply the guards and filters use: the headers set, what it would send, and whether something was sent already. */
export class RecordingReply {
  statusCode: number | null = null;
  contentType: string | null = null;
  readonly headersSet: Record<string, string> = {};
  readonly bodies: unknown[] = [];
  constructor(public sent = false) {}
  header(name: string, value: string): this {
    this.headersSet[name.toLowerCase()] = value;
    return this;
  }
  headers(values: Record<string, string>): this {
    for (const [name, value] of Object.entries(values)) this.headersSet[name.toLowerCase()] = value;
    return this;
  }
  code(status: number): this {
    this.statusCode = status;
    return this;
  }
  type(contentType: string): this {
    this.contentType = contentType;
    return this;
  }
  send(body: unknown): this {
    this.bodies.push(body);
    this.sent = true;
    return this;
  }
}
