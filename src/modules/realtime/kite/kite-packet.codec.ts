import type { TickMode } from '../../../sdk/protocol';
import type { Quote } from '../../market-data/market-data.events';

/**
 * Kite Connect's binary tick packets, byte for byte (docs/kite-ticker.md has the table). All
 * integers big-endian; prices in paise (the unit Kite uses for NSE/BSE cash); times in seconds.
 */
export const PACKET_BYTES: Readonly<Record<TickMode, number>> = { ltp: 8, quote: 44, full: 184 };

const INT32_MAX = 0x7fffffff;
const DEPTH_LEVELS = 5;
const DEPTH_ENTRY_BYTES = 12;

/** Kite's parser reads signed 32-bit values; anything larger would come out negative, so clamp. */
const int32 = (n: number) => (n > INT32_MAX ? INT32_MAX : n < 0 ? 0 : Math.trunc(n));
const seconds = (ms: number) => int32(Math.floor(ms / 1000));

export function encodeKitePacket(q: Quote, mode: TickMode): Buffer {
  const b = Buffer.alloc(PACKET_BYTES[mode]);
  b.writeInt32BE(int32(q.instrumentToken), 0);
  b.writeInt32BE(int32(q.lastPrice), 4);
  if (mode === 'ltp') return b;
  b.writeInt32BE(int32(q.lastQuantity), 8);
  b.writeInt32BE(int32(q.averagePrice), 12);
  b.writeInt32BE(int32(q.volume), 16);
  b.writeInt32BE(int32(q.totalBuyQuantity), 20);
  b.writeInt32BE(int32(q.totalSellQuantity), 24);
  b.writeInt32BE(int32(q.open), 28);
  b.writeInt32BE(int32(q.high), 32);
  b.writeInt32BE(int32(q.low), 36);
  b.writeInt32BE(int32(q.close), 40);
  if (mode === 'quote') return b;
  b.writeInt32BE(seconds(q.lastTradeTime), 44);
  // 48..60: open interest, its day high and low — zero for cash equities.
  b.writeInt32BE(seconds(q.timestamp), 60);
  const sides = [q.bids, q.asks];
  for (let s = 0; s < 2; s++) {
    for (let i = 0; i < DEPTH_LEVELS; i++) {
      const level = sides[s][i];
      if (!level) continue;
      const at = 64 + (s * DEPTH_LEVELS + i) * DEPTH_ENTRY_BYTES;
      b.writeInt32BE(int32(level.quantity), at);
      b.writeInt32BE(int32(level.price), at + 4);
      b.writeUInt16BE(Math.min(0xffff, Math.max(0, level.orders)), at + 8);
      // at + 10: two bytes of padding.
    }
  }
  return b;
}

/** One WebSocket message: [int16 packet count] then per packet [int16 length][packet]. */
export function kiteFrame(packets: readonly Buffer[]): Buffer {
  let size = 2;
  for (const p of packets) size += 2 + p.length;
  const frame = Buffer.allocUnsafe(size);
  frame.writeUInt16BE(packets.length, 0);
  let at = 2;
  for (const p of packets) {
    frame.writeUInt16BE(p.length, at);
    p.copy(frame, at + 2);
    at += 2 + p.length;
  }
  return frame;
}

/** Kite's keep-alive: a 1-byte binary message (its client only parses messages longer than 2 bytes). */
export const KITE_HEARTBEAT = Buffer.alloc(1);
