/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, init and final XOR 0xFFFFFFFF) — the same
 * function as zlib's crc32, so any language's standard library can check a frame.
 *
 * Table-driven, slicing-by-8: eight 256-entry tables let the loop consume 8 bytes (two
 * little-endian int32 reads) per iteration instead of 1. bench/results/feed.md has it against the
 * one-table loop; it matters because every frame body is checked on both ends of the feed.
 */
const TABLES: Int32Array[] = buildTables();

function buildTables(): Int32Array[] {
  const t0 = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t0[n] = c;
  }
  const tables = [t0];
  for (let s = 1; s < 8; s++) {
    const prev = tables[s - 1];
    const t = new Int32Array(256);
    for (let n = 0; n < 256; n++) t[n] = (prev[n] >>> 8) ^ t0[prev[n] & 0xff];
    tables.push(t);
  }
  return tables;
}

const [T0, T1, T2, T3, T4, T5, T6, T7] = TABLES;

/** CRC-32 of bytes[start, end). Pass a previous result as `seed` to continue over more bytes. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length, seed = 0): number {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let c = ~seed;
  let i = start;
  const fastEnd = end - 8;
  while (i <= fastEnd) {
    const lo = c ^ v.getInt32(i, true);
    const hi = v.getInt32(i + 4, true);
    c =
      T7[lo & 0xff] ^
      T6[(lo >>> 8) & 0xff] ^
      T5[(lo >>> 16) & 0xff] ^
      T4[lo >>> 24] ^
      T3[hi & 0xff] ^
      T2[(hi >>> 8) & 0xff] ^
      T1[(hi >>> 16) & 0xff] ^
      T0[hi >>> 24];
    i += 8;
  }
  while (i < end) c = T0[(c ^ bytes[i++]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
