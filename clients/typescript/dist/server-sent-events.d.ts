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
export declare class ServerSentEventsReader {
    /** The last `retry:` the server sent (ms), or null. */
    retryMs: number | null;
    private pending;
    /** The previous piece ended in CR: an LF that opens this one ends no second line. */
    private afterCarriageReturn;
    private event;
    private data;
    private id;
    /** The messages the text completes. */
    push(text: string): ServerSentMessage[];
    private line;
    private dispatch;
}
