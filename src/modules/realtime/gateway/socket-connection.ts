import { Fragment, FrameWriter, Member } from '../fanout/tick-fanout';
import { socketIoEventFrame } from '../fanout/json-tick.codec';
import { bufferedBytes, canWriteNow, terminate, writePacket } from './engine-connection';
import { MessageRate } from './message-rate';
import type { AppSocket } from './socket-types';

/** One socket.io connection's realtime state: its fan-out membership and its message budget. */
export class SocketConnection implements FrameWriter {
  readonly protocol = 'socketio' as const;
  readonly member = new Member(this);
  readonly rate: MessageRate;
  /** When the last rate-limit error was sent (one per second at most, so refusals cannot amplify). */
  rateErrorAt = 0;

  constructor(
    readonly socket: AppSocket,
    messagesPerSecond: number,
  ) {
    this.rate = new MessageRate(messagesPerSecond);
  }

  canWrite(): boolean {
    return canWriteNow(this.socket);
  }

  bufferedBytes(): number {
    return bufferedBytes(this.socket);
  }

  write(ticks: Fragment[], depth: Fragment[]): number {
    writePacket(this.socket, socketIoEventFrame('tick', ticks as string[]));
    if (!depth.length) return 1;
    writePacket(this.socket, socketIoEventFrame('depth', depth as string[]));
    return 2;
  }

  drop(): void {
    terminate(this.socket);
  }
}
