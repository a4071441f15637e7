import fc from 'fast-check';
import { FrameDecoder } from './frame-decoder';
import { QUOTE_PACKET_SIZE } from './layout';
import { quoteProblem } from './quote-codec';
import { quoteArb } from './testing/quote-arbitrary';
import { batchFrames, encodeAll } from './testing/frames';
import { MessageType, type FeedFrame } from './wire.types';

/** Cuts `bytes` at the given fractions of its length: arbitrary TCP chunking, empty chunks included. */
function chunk(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = cuts.map((c) => Math.floor(c * bytes.length)).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(prev, p));
    prev = p;
  }
  return chunks;
}

const batchesArb = fc.array(fc.array(quoteArb, { minLength: 0, maxLength: 12 }), { minLength: 1, maxLength: 6 });
const cutsArb = fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { maxLength: 40 });

describe('feed codec properties', () => {
  it('generated quotes are ones the protocol must carry', () => {
    fc.assert(fc.property(quoteArb, (q) => quoteProblem(q) === null));
  });

  it('random batches -> encode -> random chunking -> decode gives back exactly the input', () => {
    fc.assert(
      fc.property(batchesArb, cutsArb, fc.integer({ min: 0, max: 0xffff_ffff }), (batches, cuts, firstSeq) => {
        const bytes = encodeAll(batchFrames(batches, firstSeq));
        const decoder = new FrameDecoder();
        const frames: FeedFrame[] = chunk(bytes, cuts).flatMap((c) => decoder.push(c));
        expect(frames.map((f) => (f.type === MessageType.QUOTE_BATCH ? f.quotes : null))).toEqual(batches);
        expect(frames.map((f) => f.sequence)).toEqual(batches.map((_, i) => (firstSeq + i) >>> 0));
        expect(decoder.stats).toMatchObject({ dropped: 0, badChecksum: 0, gaps: 0, resyncs: 0, discardedBytes: 0 });
        expect(decoder.stats.packets).toBe(batches.flat().length);
      }),
      { numRuns: 300 },
    );
  });

  it('garbage between frames is discarded and every frame after it still arrives', () => {
    fc.assert(
      fc.property(batchesArb, fc.uint8Array({ minLength: 1, maxLength: 300 }), cutsArb, (batches, junk, cuts) => {
        // No magic bytes in the junk: a trailing one would rightly wait for the rest of a header
        // that never comes, and the exact discarded-byte count below would not hold.
        const garbage = Buffer.from(junk.map((b) => (b === 0x4d ? 0 : b)));
        const frames = encodeAll(batchFrames(batches));
        const bytes = Buffer.concat([garbage, frames, garbage]);
        const decoder = new FrameDecoder();
        const out = chunk(bytes, cuts).flatMap((c) => decoder.push(c));
        expect(out.map((f) => (f.type === MessageType.QUOTE_BATCH ? f.quotes : null))).toEqual(batches);
        expect(decoder.stats.discardedBytes).toBe(garbage.length * 2);
        expect(decoder.stats.resyncs).toBe(2);
        expect(bytes.length - garbage.length * 2).toBe(batches.reduce((n, b) => n + 32 + b.length * QUOTE_PACKET_SIZE, 0));
      }),
      { numRuns: 200 },
    );
  });
});
