import { encodeFrame, frameSize } from '../frame-encoder';
import { MessageType, type OutgoingFrame, type WireQuote } from '../wire.types';

/** Frames back to back in one fresh buffer, as a publisher would put them on a socket. */
export function encodeAll(frames: readonly OutgoingFrame[]): Buffer {
  const out = Buffer.alloc(frames.reduce((n, f) => n + frameSize(f), 0));
  let offset = 0;
  for (const f of frames) offset += encodeFrame(out, f, offset);
  return out;
}

/** QUOTE_BATCH frames with consecutive sequences from `firstSequence`, one per batch. */
export function batchFrames(batches: readonly WireQuote[][], firstSequence = 1, sendTime = 1_764_140_400_123): OutgoingFrame[] {
  return batches.map((quotes, i) => ({ type: MessageType.QUOTE_BATCH, quotes, sequence: firstSequence + i, sendTime }));
}
