import WebSocket from 'ws';
import type { AuthUser } from '../../auth/auth.types';
import { Fragment, FrameWriter, Member } from '../fanout/tick-fanout';
import { MessageRate } from '../gateway/message-rate';
import { KITE_HEARTBEAT, kiteFrame } from './kite-packet.codec';

const BINARY = { binary: true, compress: false };
const TEXT = { binary: false, compress: false };

/** One Kite ticker connection: a raw WebSocket, its fan-out membership and message budget. */
export class KiteConnection implements FrameWriter {
  readonly protocol = 'kite' as const;
  readonly member = new Member(this);
  readonly rate: MessageRate;
  lastWriteAt = Date.now();
  /** ws.send calls whose data has not reached the kernel yet. */
  private inFlight = 0;
  private readonly sent = () => {
    this.inFlight--;
  };

  constructor(
    readonly ws: WebSocket,
    readonly user: AuthUser,
    messagesPerSecond: number,
  ) {
    this.rate = new MessageRate(messagesPerSecond);
  }

  canWrite(): boolean {
    return this.inFlight === 0 && this.ws.readyState === WebSocket.OPEN;
  }

  bufferedBytes(): number {
    return this.ws.bufferedAmount;
  }

  write(ticks: Fragment[]): number {
    this.send(kiteFrame(ticks as Buffer[]), BINARY);
    return 1;
  }

  /** Kite's text messages: {"type":"order"|"error"|"message","data":...}. */
  sendText(type: 'order' | 'error' | 'message', data: unknown): void {
    this.send(JSON.stringify({ type, data }), TEXT);
  }

  sendPackets(packets: Buffer[]): void {
    if (packets.length) this.send(kiteFrame(packets), BINARY);
  }

  heartbeat(now: number): void {
    if (now - this.lastWriteAt >= 1000 && this.canWrite()) this.send(KITE_HEARTBEAT, BINARY);
  }

  drop(): void {
    this.ws.terminate();
  }

  private send(data: Buffer | string, options: typeof BINARY): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.inFlight++;
    this.lastWriteAt = Date.now();
    this.ws.send(data, options, this.sent);
  }
}
