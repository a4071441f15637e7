import { Fragment, FrameWriter, Member } from '../fanout/tick-fanout';
import { bufferedBytes, canWriteNow, terminate, writeEvent } from './engine-connection';
import { MessageRate } from './message-rate';
import type { AppSocket } from './socket-types';

/** One socket.io connection's realtime state: its fan-out membership and its message budget. */
export class SocketConnection implements FrameWriter {
  readonly protocol = 'socketio' as const;
  readonly member = new Member(this);
  /** Made on the first message: most connections only listen. */
  private budget: MessageRate | null = null;
  /** When the last rate-limit error was sent (one per second at most, so refusals cannot amplify). */
  rateErrorAt = 0;

  constructor(
    readonly socket: AppSocket,
    private readonly messagesPerSecond: number,
  ) {}

  get rate(): MessageRate {
    return (this.budget ??= new MessageRate(this.messagesPerSecond));
  }

  canWrite(): boolean {
    return canWriteNow(this.socket);
  }

  bufferedBytes(): number {
    return bufferedBytes(this.socket);
  }

  /** Fragments here are the JSON of one instrument as UTF-8 bytes (see RealtimeModule's socket.io codec). */
  write(ticks: Fragment[], depth: Fragment[]): number {
    writeEvent(this.socket, 'tick', ticks as Buffer[]);
    if (!depth.length) return 1;
    writeEvent(this.socket, 'depth', depth as Buffer[]);
    return 2;
  }

  drop(): void {
    terminate(this.socket);
  }
}
