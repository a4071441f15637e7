import { crc32 } from './crc32';
import {
  HEADER,
  HEADER_SIZE,
  MAGIC_0,
  MAGIC_1,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  QUOTE_PACKET_SIZE,
  SESSION_END_BODY,
  SNAPSHOT_MARKER_BODY,
} from './layout';
import { quoteProblem, readQuote } from './quote-codec';
import { MessageType, type FeedFrame, type WireQuote } from './wire.types';

export interface DecoderStats {
  /** Frames delivered. */
  frames: number;
  /** Quote packets delivered. */
  packets: number;
  /** Frames seen (header intact) but not delivered: bad body CRC, oversize, unknown type/version, malformed body. */
  dropped: number;
  /** Frames whose body CRC, or (where a frame was due) header CRC, did not match. */
  badChecksum: number;
  /** Sequence discontinuities (each one means lost frames: re-snapshot). */
  gaps: number;
  /** Times the reader lost frame alignment and scanned for the magic. */
  resyncs: number;
  /** Packets in an intact frame that broke quoteProblem's rules; dropped one by one. */
  invalidPackets: number;
  /** Bytes skipped: garbage between frames and the bodies of dropped frames. */
  discardedBytes: number;
}

export interface FrameDecoderOptions {
  /** Frames longer than this (header included) are skipped unread. Default and maximum: MAX_FRAME_BYTES. */
  maxFrameBytes?: number;
}

const LE = true;

/**
 * Streaming reader for the feed: push() it TCP chunks as they come — split anywhere, coalesced,
 * with garbage in between — and it returns the complete frames they finish. It never throws on
 * input: damage is dropped, counted in `stats`, and the reader realigns on the next magic.
 *
 * Trust order: the header CRC is checked before any header field is believed, so a corrupted
 * length cannot make the reader wait for, or skip, bytes that were never sent. After that the
 * length is trusted, and a frame with a bad body is skipped whole without losing alignment.
 */
export class FrameDecoder {
  readonly stats: DecoderStats = {
    frames: 0,
    packets: 0,
    dropped: 0,
    badChecksum: 0,
    gaps: 0,
    resyncs: 0,
    invalidPackets: 0,
    discardedBytes: 0,
  };
  private readonly maxFrameBytes: number;
  /** Bytes of an incomplete frame carried over to the next push, in pending[0, pendingLength). */
  private pending = Buffer.alloc(0);
  private pendingLength = 0;
  /** Body bytes of a dropped oversize frame still to skip as they arrive. */
  private skipRemaining = 0;
  private expectedSequence: number | null = null;
  /** True while realigning: candidate headers that fail are noise, not damaged frames. */
  private scanning = false;

  constructor(options: FrameDecoderOptions = {}) {
    this.maxFrameBytes = Math.min(options.maxFrameBytes ?? MAX_FRAME_BYTES, MAX_FRAME_BYTES);
  }

  /** Forgets partial bytes and the sequence baseline (a new connection); stats accumulate. */
  reset(): void {
    this.pending = Buffer.alloc(0);
    this.pendingLength = 0;
    this.skipRemaining = 0;
    this.expectedSequence = null;
    this.scanning = false;
  }

  push(chunk: Uint8Array): FeedFrame[] {
    const frames: FeedFrame[] = [];
    let data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    if (this.skipRemaining > 0) {
      const n = Math.min(this.skipRemaining, data.length);
      this.skipRemaining -= n;
      this.stats.discardedBytes += n;
      start = n;
    }
    let end = data.length;
    if (this.pendingLength > 0) {
      // Usual case is a frame split over two or three chunks; copy only then, never on aligned chunks.
      this.append(data, start, end);
      data = this.pending;
      start = 0;
      end = this.pendingLength;
    }
    const consumed = this.parse(data, start, end, frames);
    const rest = end - consumed;
    if (data === this.pending) {
      if (rest > 0 && consumed > 0) this.pending.copyWithin(0, consumed, end);
      this.pendingLength = rest;
    } else if (rest > 0) {
      this.pendingLength = 0;
      this.append(data, consumed, end);
    }
    return frames;
  }

  private append(src: Buffer, from: number, to: number): void {
    const need = this.pendingLength + (to - from);
    if (need > this.pending.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, Math.min(this.pending.length * 2, this.maxFrameBytes * 2), 64 * 1024));
      this.pending.copy(grown, 0, 0, this.pendingLength);
      this.pending = grown;
    }
    src.copy(this.pending, this.pendingLength, from, to);
    this.pendingLength = need;
  }

  /** Decodes whole frames in data[p, end); returns how far it consumed. */
  private parse(data: Buffer, p: number, end: number, out: FeedFrame[]): number {
    const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
    while (p < end) {
      if (this.skipRemaining > 0) {
        const n = Math.min(this.skipRemaining, end - p);
        this.skipRemaining -= n;
        this.stats.discardedBytes += n;
        p += n;
        continue;
      }
      if (data[p] !== MAGIC_0 || (p + 1 < end && data[p + 1] !== MAGIC_1)) {
        p = this.scan(data, p, end, p);
        continue;
      }
      if (end - p < HEADER_SIZE) break;
      if (crc32(data, p, p + HEADER.HEADER_CRC) !== v.getUint32(p + HEADER.HEADER_CRC, LE)) {
        // Aligned (right after a good frame): a damaged frame. Scanning: a false magic in noise.
        if (!this.scanning) this.stats.badChecksum++;
        p = this.scan(data, p, end, p + 1);
        continue;
      }
      const bodyLength = v.getUint32(p + HEADER.BODY_LENGTH, LE);
      const total = HEADER_SIZE + bodyLength;
      const type = data[p + HEADER.TYPE];
      if (total > this.maxFrameBytes || data[p + HEADER.VERSION] !== PROTOCOL_VERSION || !isKnownType(type)) {
        // The header is intact, so its length is true: skip the frame exactly, even if it is
        // larger than we are willing to buffer, and stay aligned.
        this.stats.dropped++;
        this.stats.discardedBytes += HEADER_SIZE;
        this.skipRemaining = bodyLength;
        this.scanning = false;
        p += HEADER_SIZE;
        continue;
      }
      if (end - p < total) break;
      this.scanning = false;
      const bodyStart = p + HEADER_SIZE;
      if (crc32(data, bodyStart, bodyStart + bodyLength) !== v.getUint32(p + HEADER.BODY_CRC, LE)) {
        this.stats.badChecksum++;
        this.dropFrame(total);
      } else {
        const frame = this.decodeBody(v, p, type as MessageType, bodyLength);
        if (frame === null) this.dropFrame(total);
        else out.push(this.sequenced(frame));
      }
      p += total;
    }
    return p;
  }

  private dropFrame(total: number): void {
    // The sequence baseline stays put, so the next good frame reports this one as a gap.
    this.stats.dropped++;
    this.stats.discardedBytes += total;
  }

  /**
   * Discards from `from` up to the next possible frame start at or after `searchFrom` and returns
   * it; a trailing MAGIC_0 is kept, its MAGIC_1 may be in the next chunk.
   */
  private scan(data: Buffer, from: number, end: number, searchFrom: number): number {
    if (!this.scanning) {
      this.scanning = true;
      this.stats.resyncs++;
    }
    let i = searchFrom;
    while (i < end) {
      i = data.indexOf(MAGIC_0, i);
      if (i < 0 || i >= end) {
        i = end;
        break;
      }
      if (i + 1 >= end || data[i + 1] === MAGIC_1) break;
      i++;
    }
    this.stats.discardedBytes += i - from;
    return i;
  }

  private decodeBody(v: DataView, p: number, type: MessageType, bodyLength: number): FeedFrame | null {
    const sequence = v.getUint32(p + HEADER.SEQUENCE, LE);
    const sendTime = v.getFloat64(p + HEADER.SEND_TIME, LE);
    const count = v.getUint16(p + HEADER.PACKET_COUNT, LE);
    const size = v.getUint16(p + HEADER.PACKET_SIZE, LE);
    const body = p + HEADER_SIZE;
    switch (type) {
      case MessageType.QUOTE_BATCH: {
        // A later minor revision may append fields to the packet: read the first 200 bytes of each.
        if (count === 0 ? bodyLength !== 0 : size < QUOTE_PACKET_SIZE || bodyLength !== count * size) return null;
        const quotes: WireQuote[] = [];
        for (let i = 0, o = body; i < count; i++, o += size) {
          const q = readQuote(v, o);
          if (quoteProblem(q) === null) quotes.push(q);
          else this.stats.invalidPackets++;
        }
        this.stats.packets += quotes.length;
        return { type, sequence, sendTime, quotes };
      }
      case MessageType.HEARTBEAT:
        return { type, sequence, sendTime };
      case MessageType.SNAPSHOT_BEGIN:
      case MessageType.SNAPSHOT_END:
        if (bodyLength < SNAPSHOT_MARKER_BODY) return null;
        return { type, sequence, sendTime, instrumentCount: v.getUint32(body, LE) };
      case MessageType.SESSION_END:
        if (bodyLength < SESSION_END_BODY) return null;
        return { type, sequence, sendTime, reason: v.getUint8(body) };
    }
  }

  private sequenced(frame: FeedFrame): FeedFrame {
    const expected = this.expectedSequence;
    if (expected !== null && frame.sequence !== expected) {
      frame.gap = { expected, received: frame.sequence };
      this.stats.gaps++;
    }
    this.expectedSequence = (frame.sequence + 1) >>> 0;
    this.stats.frames++;
    return frame;
  }
}

function isKnownType(type: number): boolean {
  return type >= MessageType.QUOTE_BATCH && type <= MessageType.SESSION_END;
}
