import Redis, { Command } from 'ioredis';

/** Decides, command by command, whether to send, and hears how each sent command ended. */
export interface CommandGate {
  /** Why no command may be sent now, or null to send. */
  refusal(): Error | null;
  refused(refusal: Error): void;
  sent(outcome: Promise<unknown>): void;
}

type Stream = Parameters<Redis['sendCommand']>[1];

/**
 * An ioredis client whose every command passes one gate: the commands of scripts, pipelines and transactions alike
 * go through `sendCommand`. The connection's own handshake (AUTH, SELECT, the ready check), sent while it
 * connects, and the gate's own checks (`sendUngated`) pass untouched.
 *
 * A pipeline hands its commands over one by one in a single synchronous loop and writes them once the last is in;
 * the gate's answer only changes when a reply or a timer is handled, so a pipeline is refused whole or sent whole,
 * never left half-queued.
 */
export class GatedRedis extends Redis {
  private gate: CommandGate | null = null;

  guardWith(gate: CommandGate): void {
    this.gate = gate;
  }

  override sendCommand(command: Command, stream?: Stream): unknown {
    const gate = this.gate;
    if (gate === null || this.status === 'connect') return super.sendCommand(command, stream);
    const refusal = gate.refusal();
    if (refusal !== null) {
      command.reject(refusal);
      gate.refused(refusal);
      return command.promise;
    }
    const sent = super.sendCommand(command, stream);
    gate.sent(command.promise);
    return sent;
  }

  /** A command past the gate: the probes that decide whether it opens. Replies as text. */
  sendUngated<T>(name: string, ...args: Array<string | number>): Promise<T> {
    const command = new Command(name, args, { replyEncoding: 'utf8' });
    super.sendCommand(command);
    return command.promise as Promise<T>;
  }
}
