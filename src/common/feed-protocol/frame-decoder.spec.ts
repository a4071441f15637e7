import { randomBytes } from 'node:crypto';
import { FrameDecoder } from './frame-decoder';
import { FrameEncoder, encodeFrame, patchSequence } from './frame-encoder';
import { HEADER, HEADER_SIZE, MAX_FRAME_BYTES, QUOTE, QUOTE_PACKET_SIZE } from './layout';
import { crc32 } from './crc32';
import { batchFrames, encodeAll } from './testing/frames';
import { makeBatch } from './testing/quote-factory';
import { MessageType, type FeedFrame, type QuoteBatchFrame } from './wire.types';

const T = 1_764_140_400_123;
const quotesOf = (frames: FeedFrame[]) => frames.flatMap((f) => (f.type === MessageType.QUOTE_BATCH ? f.quotes : []));
const seqs = (frames: FeedFrame[]) => frames.map((f) => f.sequence);

/** Three frames of 1, 2 and 3 quotes, sequences 1..3. */
const batches = [makeBatch(1, 1, 100), makeBatch(2, 2, 200), makeBatch(3, 3, 300)];
const stream = encodeAll(batchFrames(batches));
const frameLength = (n: number) => HEADER_SIZE + n * QUOTE_PACKET_SIZE;

function feed(decoder: FrameDecoder, ...chunks: Buffer[]): FeedFrame[] {
  return chunks.flatMap((c) => decoder.push(c));
}

describe('FrameDecoder', () => {
  it('decodes coalesced frames from one chunk', () => {
    const d = new FrameDecoder();
    expect(quotesOf(d.push(stream))).toEqual(batches.flat());
    expect(d.stats).toEqual({ frames: 3, packets: 6, dropped: 0, badChecksum: 0, gaps: 0, resyncs: 0, invalidPackets: 0, discardedBytes: 0 });
  });

  it('decodes the same frames whatever single split point the stream is cut at', () => {
    const expected = JSON.stringify(batches.flat()); // string compare: jest's deep equality is slow over 1,300 cuts
    for (let cut = 0; cut <= stream.length; cut++) {
      const d = new FrameDecoder();
      const frames = feed(d, stream.subarray(0, cut), stream.subarray(cut));
      expect(seqs(frames)).toEqual([1, 2, 3]);
      expect(JSON.stringify(quotesOf(frames))).toBe(expected);
    }
  });

  it('decodes a stream fed one byte at a time', () => {
    const d = new FrameDecoder();
    const frames: FeedFrame[] = [];
    for (let i = 0; i < stream.length; i++) frames.push(...d.push(stream.subarray(i, i + 1)));
    expect(quotesOf(frames)).toEqual(batches.flat());
    expect(d.stats.resyncs).toBe(0);
  });

  it('accepts Uint8Array chunks that are not Buffers', () => {
    const copy = new Uint8Array(stream);
    expect(quotesOf(new FrameDecoder().push(copy.subarray(0)))).toEqual(batches.flat());
  });

  it('holds a truncated frame until the rest arrives, and yields nothing for it before', () => {
    const d = new FrameDecoder();
    const first = frameLength(1);
    expect(seqs(d.push(stream.subarray(0, first + 10)))).toEqual([1]);
    expect(d.push(stream.subarray(first + 10, first + HEADER_SIZE + 5))).toEqual([]);
    expect(seqs(d.push(stream.subarray(first + HEADER_SIZE + 5)))).toEqual([2, 3]);
  });

  it('skips a garbage prefix and suffix, counting them, and keeps decoding after', () => {
    const d = new FrameDecoder();
    const junk = Buffer.from('GET / HTTP/1.1\r\nHost: feed\r\n\r\nM'); // ends in the first magic byte
    const frames = feed(d, junk, stream, Buffer.from([0x4d, 0x46, 0x00, 0x13, 0x37]));
    expect(quotesOf(frames)).toEqual(batches.flat());
    expect(d.stats.discardedBytes).toBe(junk.length);
    expect(d.stats.resyncs).toBe(1);
    // The suffix starts with the magic right after a good frame: it waits as a possible header, and
    // once more bytes disprove it, it counts as a damaged frame and the reader realigns.
    expect(quotesOf(d.push(encodeAll(batchFrames([makeBatch(1, 9, 900)], 4))))).toEqual(makeBatch(1, 9, 900));
    expect(d.stats).toMatchObject({ frames: 4, resyncs: 2, gaps: 0, badChecksum: 1, discardedBytes: junk.length + 5 });
  });

  it('drops a frame whose body is corrupted (checksum), reports the gap and keeps the next', () => {
    const bad = Buffer.from(stream);
    bad[frameLength(1) + HEADER_SIZE + QUOTE.LAST_PRICE] ^= 0x01; // one bit of frame 2's first price
    const d = new FrameDecoder();
    const frames = d.push(bad);
    expect(seqs(frames)).toEqual([1, 3]);
    expect(frames[1].gap).toEqual({ expected: 2, received: 3 });
    expect(d.stats).toMatchObject({ frames: 2, dropped: 1, badChecksum: 1, gaps: 1, resyncs: 0, discardedBytes: frameLength(2) });
  });

  it('drops a frame whose header is corrupted and resynchronises on the next magic', () => {
    for (const offset of [HEADER.SEQUENCE, HEADER.BODY_LENGTH + 2, HEADER.PACKET_COUNT, HEADER.HEADER_CRC]) {
      const bad = Buffer.from(stream);
      bad[frameLength(1) + offset] ^= 0xff;
      const d = new FrameDecoder();
      const frames = d.push(bad);
      expect(seqs(frames)).toEqual([1, 3]);
      expect(d.stats).toMatchObject({ badChecksum: 1, resyncs: 1, gaps: 1, discardedBytes: frameLength(2) });
    }
  });

  it('detects gaps, repeats and restarts of the sequence', () => {
    const d = new FrameDecoder();
    const frames = d.push(
      encodeAll([
        { type: MessageType.HEARTBEAT, sequence: 10, sendTime: T },
        { type: MessageType.HEARTBEAT, sequence: 11, sendTime: T },
        { type: MessageType.HEARTBEAT, sequence: 15, sendTime: T },
        { type: MessageType.HEARTBEAT, sequence: 15, sendTime: T },
        { type: MessageType.HEARTBEAT, sequence: 0xffff_ffff, sendTime: T },
        { type: MessageType.HEARTBEAT, sequence: 0, sendTime: T }, // wrap-around is continuity
      ]),
    );
    expect(frames.map((f) => f.gap)).toEqual([undefined, undefined, { expected: 12, received: 15 }, { expected: 16, received: 15 }, { expected: 16, received: 0xffff_ffff }, undefined]);
    expect(d.stats.gaps).toBe(3);
    d.reset(); // a new connection starts a new baseline
    expect(d.push(encodeAll([{ type: MessageType.HEARTBEAT, sequence: 1, sendTime: T }]))[0].gap).toBeUndefined();
  });

  it('skips an oversize frame by its length without buffering it, and stays aligned', () => {
    const d = new FrameDecoder({ maxFrameBytes: frameLength(2) });
    const chunks = [stream.subarray(0, 700), stream.subarray(700)]; // frame 3 (3 quotes) is over the limit
    const frames = feed(d, ...chunks, encodeAll([{ type: MessageType.HEARTBEAT, sequence: 4, sendTime: T }]));
    expect(seqs(frames)).toEqual([1, 2, 4]);
    expect(d.stats).toMatchObject({ dropped: 1, resyncs: 0, gaps: 1, discardedBytes: frameLength(3) });
  });

  it('drops a header that claims more than MAX_FRAME_BYTES even when its checksum is right', () => {
    const header = Buffer.from(encodeAll([{ type: MessageType.HEARTBEAT, sequence: 1, sendTime: T }]));
    header.writeUInt32LE(MAX_FRAME_BYTES, HEADER.BODY_LENGTH);
    header.writeUInt32LE(crc32(header, 0, HEADER.HEADER_CRC), HEADER.HEADER_CRC);
    const d = new FrameDecoder();
    expect(d.push(header)).toEqual([]);
    expect(d.stats).toMatchObject({ dropped: 1 });
    d.push(Buffer.alloc(MAX_FRAME_BYTES)); // the promised body is skipped as it arrives, not scanned
    expect(d.stats).toMatchObject({ discardedBytes: HEADER_SIZE + MAX_FRAME_BYTES, resyncs: 0 });
    expect(seqs(d.push(encodeAll([{ type: MessageType.HEARTBEAT, sequence: 2, sendTime: T }])))).toEqual([2]);
  });

  it('skips frames of an unknown version or type whole, and malformed bodies', () => {
    const reseal = (b: Buffer, at: number, value: number) => {
      b[at] = value;
      patchSequence(b, b.readUInt32LE(HEADER.SEQUENCE));
      return b;
    };
    const batch = () => Buffer.from(new FrameEncoder().encode({ type: MessageType.QUOTE_BATCH, quotes: makeBatch(2), sequence: 1, sendTime: T }));
    const wrongCount = batch();
    wrongCount.writeUInt16LE(3, HEADER.PACKET_COUNT);
    const d = new FrameDecoder();
    const frames = feed(d, reseal(batch(), HEADER.VERSION, 2), reseal(batch(), HEADER.TYPE, 99), reseal(wrongCount, 0, 0x4d), stream);
    expect(quotesOf(frames)).toEqual(batches.flat());
    expect(d.stats).toMatchObject({ dropped: 3, resyncs: 0, badChecksum: 0 });
  });

  it('drops an invalid packet inside an intact frame and keeps its neighbours', () => {
    const quotes = makeBatch(3);
    const buf = Buffer.alloc(HEADER_SIZE + 3 * QUOTE_PACKET_SIZE);
    encodeFrame(buf, { type: MessageType.QUOTE_BATCH, quotes, sequence: 1, sendTime: T });
    // A publisher bug, not line noise: low > high in packet 2, with the CRC recomputed to match.
    buf.writeUInt32LE(quotes[1].high + 5, HEADER_SIZE + QUOTE_PACKET_SIZE + QUOTE.LOW);
    buf.writeUInt32LE(crc32(buf, HEADER_SIZE), HEADER.BODY_CRC);
    patchSequence(buf, 1);
    const d = new FrameDecoder();
    expect((d.push(buf)[0] as QuoteBatchFrame).quotes).toEqual([quotes[0], quotes[2]]);
    expect(d.stats).toMatchObject({ packets: 2, invalidPackets: 1, dropped: 0 });
  });

  it('never throws on random noise and recovers at the next good frame', () => {
    const d = new FrameDecoder();
    for (let i = 0; i < 200; i++) {
      // Noise seeded with magic bytes so that candidate headers are actually tried.
      const noise = randomBytes(1 + (i % 97) * 13);
      for (let j = 0; j + 4 <= noise.length; j += 29) noise.set([0x4d, 0x46, 1, 1 + (j % 6)], j);
      expect(() => d.push(noise)).not.toThrow();
    }
    d.reset();
    expect(quotesOf(d.push(stream))).toEqual(batches.flat());
  });
});
