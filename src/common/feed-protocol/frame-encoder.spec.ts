import { FrameDecoder } from './frame-decoder';
import { FrameEncoder, encodeFrame, frameSize, patchSequence } from './frame-encoder';
import { HEADER, HEADER_SIZE, MAX_F64_INTEGER, MAX_PACKETS_PER_FRAME, MAX_PRICE_PAISE, MAX_U32, QUOTE_PACKET_SIZE } from './layout';
import { encodeAll } from './testing/frames';
import { ladder, makeBatch, makeQuote } from './testing/quote-factory';
import { MessageType, SessionEndReason, type FeedFrame, type QuoteBatchFrame, type WireQuote } from './wire.types';

const T = 1_764_140_400_123;

function roundTrip(quotes: WireQuote[]): WireQuote[] {
  const frames = new FrameDecoder().push(new FrameEncoder().encode({ type: MessageType.QUOTE_BATCH, quotes, sequence: 7, sendTime: T }));
  expect(frames).toHaveLength(1);
  return (frames[0] as QuoteBatchFrame).quotes;
}

describe('frame encoding', () => {
  it('has a 32-byte header and 200-byte quote packets', () => {
    expect(frameSize({ type: MessageType.HEARTBEAT })).toBe(32);
    expect(frameSize({ type: MessageType.QUOTE_BATCH, quotes: makeBatch(5000) })).toBe(32 + 5000 * 200);
    expect(frameSize({ type: MessageType.SNAPSHOT_BEGIN, instrumentCount: 1 })).toBe(36);
    expect(MAX_PACKETS_PER_FRAME).toBe(20_971);
  });

  it('writes the header fields little-endian where the layout says', () => {
    const buf = new FrameEncoder().encode({ type: MessageType.QUOTE_BATCH, quotes: makeBatch(3), sequence: 0x01020304, sendTime: T });
    expect([...buf.subarray(0, 8)]).toEqual([0x4d, 0x46, 1, MessageType.QUOTE_BATCH, 4, 3, 2, 1]);
    expect(buf.readDoubleLE(HEADER.SEND_TIME)).toBe(T);
    expect(buf.readUInt16LE(HEADER.PACKET_COUNT)).toBe(3);
    expect(buf.readUInt16LE(HEADER.PACKET_SIZE)).toBe(QUOTE_PACKET_SIZE);
    expect(buf.readUInt32LE(HEADER.BODY_LENGTH)).toBe(600);
    expect(buf.readUInt32LE(HEADER_SIZE)).toBe(1); // first packet's instrument token
  });

  it('round-trips ordinary quotes exactly', () => {
    const quotes = makeBatch(50);
    expect(roundTrip(quotes)).toEqual(quotes);
  });

  it('round-trips the extremes: max price, max u32 quantities, volume past 2^32 up to 2^53-1, zero depth', () => {
    const max = MAX_PRICE_PAISE;
    const extreme = makeQuote(MAX_U32, {
      timestamp: MAX_F64_INTEGER,
      lastTradeTime: 0,
      lastPrice: max,
      lastQuantity: MAX_U32,
      volume: MAX_F64_INTEGER,
      averagePrice: max,
      open: max,
      high: max,
      low: 1,
      close: max,
      lowerCircuit: 1,
      upperCircuit: max,
      totalBuyQuantity: 2 ** 32 + 1,
      totalSellQuantity: MAX_F64_INTEGER,
      bids: [{ price: max, quantity: MAX_U32, orders: MAX_U32 }, ...ladder(0, 0, 0).slice(1)],
      asks: ladder(0, 0, 0),
    });
    const liquid = makeQuote(2, { volume: 4_294_967_296 * 3 + 17 });
    const untraded = makeQuote(3, { volume: 0, lastPrice: 0, lastQuantity: 0, lastTradeTime: 0, open: 0, high: 0, low: 0, averagePrice: 0 });
    expect(roundTrip([extreme, liquid, untraded])).toEqual([extreme, liquid, untraded]);
  });

  it('pads short depth to five empty levels', () => {
    const q = makeQuote(9, { bids: ladder(1000, -5, 2).slice(0, 2), asks: [] });
    const [back] = roundTrip([q]);
    expect(back.bids).toEqual(ladder(1000, -5, 2));
    expect(back.asks).toEqual(ladder(0, 0, 0));
  });

  it('round-trips every message type with its body', () => {
    const bytes = encodeAll([
      { type: MessageType.SNAPSHOT_BEGIN, instrumentCount: 2, sequence: 1, sendTime: T },
      { type: MessageType.QUOTE_BATCH, quotes: makeBatch(2), sequence: 2, sendTime: T },
      { type: MessageType.SNAPSHOT_END, instrumentCount: 2, sequence: 3, sendTime: T },
      { type: MessageType.HEARTBEAT, sequence: 4, sendTime: T + 1000 },
      { type: MessageType.SESSION_END, reason: SessionEndReason.SHUTDOWN, sequence: 5, sendTime: T + 2000 },
    ]);
    const frames = new FrameDecoder().push(bytes);
    expect(frames).toEqual<FeedFrame[]>([
      { type: MessageType.SNAPSHOT_BEGIN, instrumentCount: 2, sequence: 1, sendTime: T },
      { type: MessageType.QUOTE_BATCH, quotes: makeBatch(2), sequence: 2, sendTime: T },
      { type: MessageType.SNAPSHOT_END, instrumentCount: 2, sequence: 3, sendTime: T },
      { type: MessageType.HEARTBEAT, sequence: 4, sendTime: T + 1000 },
      { type: MessageType.SESSION_END, reason: SessionEndReason.SHUTDOWN, sequence: 5, sendTime: T + 2000 },
    ]);
  });

  it('encodes a slice of a batch without copying the array', () => {
    const quotes = makeBatch(10);
    const buf = new FrameEncoder().encode({ type: MessageType.QUOTE_BATCH, quotes, from: 3, to: 6, sequence: 1, sendTime: T });
    expect((new FrameDecoder().push(buf)[0] as QuoteBatchFrame).quotes).toEqual(quotes.slice(3, 6));
  });

  it('patchSequence restamps a copied header so the shared body still verifies', () => {
    const frame = new FrameEncoder().encode({ type: MessageType.QUOTE_BATCH, quotes: makeBatch(4), sequence: 0, sendTime: T });
    const decoder = new FrameDecoder();
    for (const seq of [41, 42, 43]) {
      const header = Buffer.from(frame.subarray(0, HEADER_SIZE));
      patchSequence(header, seq);
      const [f] = decoder.push(Buffer.concat([header, frame.subarray(HEADER_SIZE)]));
      expect(f).toMatchObject({ sequence: seq, type: MessageType.QUOTE_BATCH });
      expect(f.gap).toBeUndefined();
    }
    expect(decoder.stats).toMatchObject({ frames: 3, packets: 12, dropped: 0, badChecksum: 0 });
  });

  it('refuses what the wire cannot carry, naming the quote and the field', () => {
    const enc = new FrameEncoder();
    const frame = (q: WireQuote) => ({ type: MessageType.QUOTE_BATCH, quotes: [q], sequence: 1, sendTime: T }) as const;
    expect(() => enc.encode(frame(makeQuote(5, { lastPrice: 2 ** 32 })))).toThrow(/quote 5: prices/);
    expect(() => enc.encode(frame(makeQuote(6, { volume: 1.5 })))).toThrow(/quote 6: volume/);
    expect(() => enc.encode({ type: MessageType.QUOTE_BATCH, quotes: makeBatch(MAX_PACKETS_PER_FRAME + 1), sequence: 1, sendTime: T })).toThrow(/exceed/);
    expect(() => encodeFrame(Buffer.alloc(40), frame(makeQuote(7)))).toThrow(/does not fit/);
    expect(() => encodeFrame(Buffer.alloc(100), { type: MessageType.SNAPSHOT_END, instrumentCount: -1, sequence: 1, sendTime: T })).toThrow(/u32/);
  });

  it('FrameEncoder reuses and grows its scratch buffer', () => {
    const enc = new FrameEncoder(64);
    const a = enc.encode({ type: MessageType.HEARTBEAT, sequence: 1, sendTime: T });
    const b = enc.encode({ type: MessageType.HEARTBEAT, sequence: 2, sendTime: T });
    expect(a.buffer).toBe(b.buffer);
    const big = enc.encode({ type: MessageType.QUOTE_BATCH, quotes: makeBatch(100), sequence: 3, sendTime: T });
    expect(big.length).toBe(32 + 100 * 200);
  });
});
