import { crc32 } from './crc32';
import {
  HEADER,
  HEADER_SIZE,
  MAGIC_0,
  MAGIC_1,
  MAX_FRAME_BYTES,
  MAX_PACKETS_PER_FRAME,
  PROTOCOL_VERSION,
  QUOTE_PACKET_SIZE,
  SESSION_END_BODY,
  SNAPSHOT_MARKER_BODY,
} from './layout';
import { quoteProblem, writeQuote } from './quote-codec';
import { MessageType, type FrameBody, type OutgoingFrame } from './wire.types';

const LE = true;

function quoteRange(body: FrameBody & { type: typeof MessageType.QUOTE_BATCH }): [number, number] {
  const from = body.from ?? 0;
  const to = body.to ?? body.quotes.length;
  if (!(Number.isInteger(from) && Number.isInteger(to) && 0 <= from && from <= to && to <= body.quotes.length)) {
    throw new RangeError(`quote range [${from}, ${to}) outside 0..${body.quotes.length}`);
  }
  if (to - from > MAX_PACKETS_PER_FRAME) throw new RangeError(`${to - from} quotes exceed ${MAX_PACKETS_PER_FRAME} per frame`);
  return [from, to];
}

function bodyLength(body: FrameBody): number {
  switch (body.type) {
    case MessageType.QUOTE_BATCH: {
      const [from, to] = quoteRange(body);
      return (to - from) * QUOTE_PACKET_SIZE;
    }
    case MessageType.HEARTBEAT:
      return 0;
    case MessageType.SNAPSHOT_BEGIN:
    case MessageType.SNAPSHOT_END:
      return SNAPSHOT_MARKER_BODY;
    case MessageType.SESSION_END:
      return SESSION_END_BODY;
  }
}

/** Bytes encodeFrame will write for this frame, header included. */
export function frameSize(body: FrameBody): number {
  return HEADER_SIZE + bodyLength(body);
}

/**
 * Encodes one frame into `out` at `offset` and returns the bytes written. Allocates nothing per
 * packet (one DataView per call). Throws RangeError on a quote the wire cannot carry or a reader
 * would drop (quoteProblem), or when `out` is too small: both are publisher bugs, not line noise.
 */
export function encodeFrame(out: Buffer, frame: OutgoingFrame, offset = 0): number {
  const length = bodyLength(frame);
  const total = HEADER_SIZE + length;
  if (total > MAX_FRAME_BYTES) throw new RangeError(`frame of ${total} bytes exceeds ${MAX_FRAME_BYTES}`);
  if (offset < 0 || offset + total > out.length) throw new RangeError(`frame of ${total} bytes does not fit at ${offset} in ${out.length}`);
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const body = offset + HEADER_SIZE;
  let packets = 0;
  switch (frame.type) {
    case MessageType.QUOTE_BATCH: {
      const [from, to] = quoteRange(frame);
      for (let i = from, o = body; i < to; i++, o += QUOTE_PACKET_SIZE) {
        const q = frame.quotes[i];
        const problem = quoteProblem(q);
        if (problem !== null) throw new RangeError(`quote ${q?.instrumentToken}: ${problem}`);
        writeQuote(v, o, q);
      }
      packets = to - from;
      break;
    }
    case MessageType.SNAPSHOT_BEGIN:
    case MessageType.SNAPSHOT_END:
      if (!Number.isInteger(frame.instrumentCount) || frame.instrumentCount < 0 || frame.instrumentCount > 0xffff_ffff) {
        throw new RangeError(`instrumentCount ${frame.instrumentCount} is not a u32`);
      }
      v.setUint32(body, frame.instrumentCount, LE);
      break;
    case MessageType.SESSION_END:
      v.setUint32(body, frame.reason & 0xff, LE); // reason byte + 3 zero reserved bytes
      break;
    case MessageType.HEARTBEAT:
      break;
  }
  out[offset + HEADER.MAGIC] = MAGIC_0;
  out[offset + HEADER.MAGIC + 1] = MAGIC_1;
  out[offset + HEADER.VERSION] = PROTOCOL_VERSION;
  out[offset + HEADER.TYPE] = frame.type;
  v.setFloat64(offset + HEADER.SEND_TIME, frame.sendTime, LE);
  v.setUint16(offset + HEADER.PACKET_COUNT, packets, LE);
  v.setUint16(offset + HEADER.PACKET_SIZE, packets > 0 ? QUOTE_PACKET_SIZE : 0, LE);
  v.setUint32(offset + HEADER.BODY_LENGTH, length, LE);
  v.setUint32(offset + HEADER.BODY_CRC, crc32(out, body, body + length), LE);
  patchSequence(out, frame.sequence, offset);
  return total;
}

/**
 * Rewrites the sequence number of an encoded frame's header and re-seals the header CRC. This is
 * what lets a publisher encode a broadcast once and give every connection its own sequence: only
 * a 32-byte header copy differs per connection; the body (and its CRC) is shared.
 */
export function patchSequence(frame: Buffer, sequence: number, offset = 0): void {
  frame.writeUInt32LE(sequence >>> 0, offset + HEADER.SEQUENCE);
  frame.writeUInt32LE(crc32(frame, offset, offset + HEADER.HEADER_CRC), offset + HEADER.HEADER_CRC);
}

/**
 * Encodes into one growing scratch buffer. The returned Buffer is a view of that scratch and is
 * overwritten by the next encode: copy it before handing it to anything asynchronous (a socket
 * write keeps a reference until flushed).
 */
export class FrameEncoder {
  private scratch: Buffer;

  constructor(initialBytes = 64 * 1024) {
    this.scratch = Buffer.allocUnsafeSlow(initialBytes);
  }

  encode(frame: OutgoingFrame): Buffer {
    const size = frameSize(frame);
    if (size > this.scratch.length) this.scratch = Buffer.allocUnsafeSlow(Math.max(size, this.scratch.length * 2));
    const n = encodeFrame(this.scratch, frame);
    return this.scratch.subarray(0, n);
  }
}
