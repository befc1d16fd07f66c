import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** A connection's requests whose answers are not yet done; `used` once it has carried one. */
interface ConnectionState {
  inFlight: number;
  used: boolean;
}

/**
 * The server's connections, each busy or idle, for a replica that is closing. Node's own closeIdleConnections
 * misses a connection that never carried a request (a client's pool opens them ahead of use), and one that goes
 * idle after the listener closed: either would hold the process until its keep-alive time ran out.
 */
export class OpenConnections {
  private readonly states = new Map<Socket, ConnectionState>();

  constructor(server: Server) {
    server.on('connection', (socket: Socket) => {
      this.states.set(socket, { inFlight: 0, used: false });
      socket.once('close', () => this.states.delete(socket));
    });
    server.on('request', (request, response) => {
      const state = this.states.get(request.socket);
      if (!state) return;
      state.inFlight += 1;
      state.used = true;
      response.once('close', () => (state.inFlight -= 1));
    });
  }

  /** Connections with a request in flight. */
  get busy(): number {
    return [...this.states.values()].filter((state) => state.inFlight > 0).length;
  }

  /**
   * Closes the connections with nothing in flight. `unused` too: those that never carried a request, which a
   * closing replica gives a moment first, in case a request is already on its way on them.
   */
  closeIdle({ unused }: { unused: boolean }): void {
    for (const [socket, state] of this.states) {
      if (state.inFlight === 0 && (state.used || unused)) socket.destroy();
    }
  }

  /** Every connection, busy or not: what is left when the time for a clean close has run out. */
  closeAll(): void {
    for (const socket of this.states.keys()) socket.destroy();
  }
}
