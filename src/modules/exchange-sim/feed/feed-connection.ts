import type { Socket } from 'node:net';
import {
  FrameEncoder,
  HEADER_SIZE,
  MessageType,
  SessionEndReason,
  frameSize,
  encodeFrame,
  patchSequence,
  type FrameBody,
  type WireQuote,
} from '../../../common/feed-protocol';

/** A broadcast frame encoded once: `frame` carries sequence 0; `body` is a view of its body. */
export interface SharedFrame {
  frame: Buffer;
  body: Buffer;
}

/**
 * One subscriber of the feed. Owns the connection's sequence counter: every frame it writes —
 * snapshot, broadcast or heartbeat — takes the next number, so the reader sees 1, 2, 3, … and
 * any loss is a visible gap.
 */
export class FeedConnection {
  private sequence = 0;
  lastSentAt = 0;
  bytesWritten = 0;
  /** Small frames (heartbeat, session end) go through here; copied out before the socket sees them. */
  private static readonly small = new FrameEncoder(64);

  constructor(
    readonly id: number,
    readonly socket: Socket,
  ) {}

  get remote(): string {
    return `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? '?'}`;
  }

  private next(): number {
    this.sequence = (this.sequence + 1) >>> 0;
    return this.sequence;
  }

  /**
   * SNAPSHOT_BEGIN, the quotes in frames of at most maxPacketsPerFrame, SNAPSHOT_END: encoded for
   * this connection alone into one buffer (it is this connection's state of the world, and runs
   * once per connect) and written with one call.
   */
  sendSnapshot(quotes: readonly WireQuote[], maxPacketsPerFrame: number, now: number): number {
    const bodies: FrameBody[] = [{ type: MessageType.SNAPSHOT_BEGIN, instrumentCount: quotes.length }];
    for (let from = 0; from < quotes.length; from += maxPacketsPerFrame) {
      bodies.push({ type: MessageType.QUOTE_BATCH, quotes, from, to: Math.min(quotes.length, from + maxPacketsPerFrame) });
    }
    bodies.push({ type: MessageType.SNAPSHOT_END, instrumentCount: quotes.length });
    const out = Buffer.allocUnsafe(bodies.reduce((n, b) => n + frameSize(b), 0));
    let offset = 0;
    for (const b of bodies) offset += encodeFrame(out, { ...b, sequence: this.next(), sendTime: now }, offset);
    this.write(out, now);
    return bodies.length;
  }

  /**
   * Writes frames encoded once for all connections. Only the 32-byte header is copied per
   * connection, to stamp this connection's sequence and re-seal the header CRC; bodies and their
   * CRCs are the shared bytes. Corked so the headers and bodies leave in one writev.
   */
  sendShared(frames: readonly SharedFrame[], now: number): void {
    const headers = Buffer.allocUnsafe(HEADER_SIZE * frames.length);
    this.socket.cork();
    for (let i = 0; i < frames.length; i++) {
      const at = i * HEADER_SIZE;
      frames[i].frame.copy(headers, at, 0, HEADER_SIZE);
      patchSequence(headers, this.next(), at);
      this.write(headers.subarray(at, at + HEADER_SIZE), now);
      this.write(frames[i].body, now);
    }
    this.socket.uncork();
  }

  sendHeartbeat(now: number): void {
    this.write(Buffer.from(FeedConnection.small.encode({ type: MessageType.HEARTBEAT, sequence: this.next(), sendTime: now })), now);
  }

  sendSessionEnd(now: number): void {
    const frame = FeedConnection.small.encode({ type: MessageType.SESSION_END, reason: SessionEndReason.SHUTDOWN, sequence: this.next(), sendTime: now });
    this.write(Buffer.from(frame), now);
  }

  private write(bytes: Buffer, now: number): void {
    if (this.socket.destroyed || !this.socket.writable) return;
    this.socket.write(bytes);
    this.bytesWritten += bytes.length;
    this.lastSentAt = now;
  }
}
