/**
 * Byte layout of the feed, version 1. All integers little-endian. docs/feed-protocol.md is the
 * prose version of this file; change both together.
 */

/** 'M','F' (Mstock Feed). Two bytes so that a resynchronising reader rarely stops on noise. */
export const MAGIC_0 = 0x4d;
export const MAGIC_1 = 0x46;
export const PROTOCOL_VERSION = 1;

/** Frame header offsets. The header layout is the same in every version; a version bump changes bodies. */
export const HEADER = {
  MAGIC: 0, // u8[2]
  VERSION: 2, // u8
  TYPE: 3, // u8
  SEQUENCE: 4, // u32, per connection, +1 per frame, wraps at 2^32
  SEND_TIME: 8, // f64 epoch ms
  PACKET_COUNT: 16, // u16
  PACKET_SIZE: 18, // u16, bytes per packet (0 when the body has no packets)
  BODY_LENGTH: 20, // u32
  BODY_CRC: 24, // u32 CRC-32 of the body
  HEADER_CRC: 28, // u32 CRC-32 of header bytes [0, 28)
} as const;
export const HEADER_SIZE = 32;

/**
 * Quote packet offsets. f64 fields first so they are 8-aligned within the packet; the rest are u32.
 * f64 carries integers exactly up to 2^53 (timestamps, and volumes/totals that can pass 2^32 on
 * the most liquid names in a day); u32 carries paise prices up to ₹4,29,49,672.95.
 */
export const QUOTE = {
  INSTRUMENT_TOKEN: 0, // u32
  LAST_QUANTITY: 4, // u32
  TIMESTAMP: 8, // f64
  LAST_TRADE_TIME: 16, // f64
  VOLUME: 24, // f64
  TOTAL_BUY_QUANTITY: 32, // f64
  TOTAL_SELL_QUANTITY: 40, // f64
  LAST_PRICE: 48, // u32
  AVERAGE_PRICE: 52, // u32
  OPEN: 56, // u32
  HIGH: 60, // u32
  LOW: 64, // u32
  CLOSE: 68, // u32
  LOWER_CIRCUIT: 72, // u32
  UPPER_CIRCUIT: 76, // u32
  BIDS: 80, // 5 x depth level
  ASKS: 140, // 5 x depth level
} as const;
export const DEPTH_LEVELS = 5;
/** price u32, quantity u32, orders u32: 12 bytes. A u16 order count would save nothing once padded to 4. */
export const DEPTH_LEVEL_SIZE = 12;
export const QUOTE_PACKET_SIZE = 200;

/** Body sizes of the non-quote messages (v1). Longer bodies are accepted and the tail ignored. */
export const SNAPSHOT_MARKER_BODY = 4;
export const SESSION_END_BODY = 4;

/** Largest frame a v1 reader accepts (header included); bounds a reader's memory per connection. */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;
/** 20,971 quotes: the most that fit in MAX_FRAME_BYTES (and under the u16 packet count). */
export const MAX_PACKETS_PER_FRAME = Math.min(0xffff, Math.floor((MAX_FRAME_BYTES - HEADER_SIZE) / QUOTE_PACKET_SIZE));

/** Field limits. */
export const MAX_U32 = 0xffff_ffff;
/** Largest price in paise: ₹4,29,49,672.95 (u32). The highest-priced Indian equity is far below. */
export const MAX_PRICE_PAISE = MAX_U32;
/** Largest volume / total quantity / timestamp: exact integers in a float64. */
export const MAX_F64_INTEGER = Number.MAX_SAFE_INTEGER;
