"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ServerSentEventsReader = void 0;
/**
 * Reads a `text/event-stream` as it arrives, in pieces cut anywhere (even between the CR and LF of a line end),
 * into messages: the HTML standard's rules, without the EventSource object around them.
 */
class ServerSentEventsReader {
    /** The last `retry:` the server sent (ms), or null. */
    retryMs = null;
    pending = '';
    /** The previous piece ended in CR: an LF that opens this one ends no second line. */
    afterCarriageReturn = false;
    event = '';
    data = [];
    id = null;
    /** The messages the text completes. */
    push(text) {
        let piece = text;
        if (this.afterCarriageReturn && piece.startsWith('\n'))
            piece = piece.slice(1);
        this.afterCarriageReturn = piece.endsWith('\r');
        const lines = (this.pending + piece).split(/\r\n|\r|\n/);
        // What follows the last line end is a line still coming; a CR at the very end has already ended its line.
        this.pending = lines.pop() ?? '';
        const messages = [];
        for (const line of lines) {
            const message = this.line(line);
            if (message)
                messages.push(message);
        }
        return messages;
    }
    line(line) {
        if (line === '')
            return this.dispatch();
        if (line.startsWith(':'))
            return null;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        let value = colon === -1 ? '' : line.slice(colon + 1);
        if (value.startsWith(' '))
            value = value.slice(1);
        if (field === 'event')
            this.event = value;
        else if (field === 'data')
            this.data.push(value);
        else if (field === 'id' && !value.includes('\0'))
            this.id = value;
        else if (field === 'retry' && /^\d+$/.test(value))
            this.retryMs = Number(value);
        return null;
    }
    dispatch() {
        const message = this.data.length > 0 || this.id !== null ? { event: this.event || 'message', data: this.data.join('\n'), id: this.id } : null;
        this.event = '';
        this.data = [];
        this.id = null;
        return message;
    }
}
exports.ServerSentEventsReader = ServerSentEventsReader;
