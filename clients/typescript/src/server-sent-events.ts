/** One message of a `text/event-stream`, as the HTML standard reads it. */
export interface ServerSentMessage {
  /** `event:`, or `message` when it had none. */
  event: string;
  /** Its `data:` lines, joined by line breaks. */
  data: string;
  /** Its own `id:`, or null when it carried none. */
  id: string | null;
}

/**
 * Reads a `text/event-stream` as it arrives, in pieces cut anywhere (even between the CR and LF of a line end),
 * into messages: the HTML standard's rules, without the EventSource object around them.
 */
export class ServerSentEventsReader {
  /** The last `retry:` the server sent (ms), or null. */
  retryMs: number | null = null;
  private pending = '';
  /** The previous piece ended in CR: an LF that opens this one ends no second line. */
  private afterCarriageReturn = false;
  private event = '';
  private data: string[] = [];
  private id: string | null = null;

  /** The messages the text completes. */
  push(text: string): ServerSentMessage[] {
    let piece = text;
    if (this.afterCarriageReturn && piece.startsWith('\n')) piece = piece.slice(1);
    this.afterCarriageReturn = piece.endsWith('\r');
    const lines = (this.pending + piece).split(/\r\n|\r|\n/);
    // What follows the last line end is a line still coming; a CR at the very end has already ended its line.
    this.pending = lines.pop() ?? '';
    const messages: ServerSentMessage[] = [];
    for (const line of lines) {
      const message = this.line(line);
      if (message) messages.push(message);
    }
    return messages;
  }

  private line(line: string): ServerSentMessage | null {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
    return null;
  }

  private dispatch(): ServerSentMessage | null {
    const message = this.data.length > 0 || this.id !== null ? { event: this.event || 'message', data: this.data.join('\n'), id: this.id } : null;
    this.event = '';
    this.data = [];
    this.id = null;
    return message;
  }
}
