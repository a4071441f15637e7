/**
 * Feed codec benchmark: the binary protocol vs a naive JSON baseline, same quotes, same run.
 *   npx ts-node --transpile-only bench/feed/run.ts
 * Env: BENCH_BATCHES (5,000-quote batches per timed repetition, default 100), BENCH_REPEAT (default 5).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import zlib from 'node:zlib';
import { FrameDecoder, FrameEncoder, MessageType, crc32, type FeedFrame, type WireQuote } from '../../src/common/feed-protocol';
import { makeBatch } from '../../src/common/feed-protocol/testing/quote-factory';

v8.setFlagsFromString('--expose_gc');
const gc = vm.runInNewContext('gc') as () => void;

const BATCH = 5000;
const BATCHES = Number(process.env.BENCH_BATCHES ?? 100);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 5);

interface Codec {
  name: string;
  /** Quotes -> bytes as they would go on the socket. */
  encode(quotes: WireQuote[]): Buffer;
  /** Bytes -> quote objects. */
  decode(bytes: Buffer): WireQuote[];
}

class BinaryCodec implements Codec {
  name = 'binary feed (this protocol)';
  private readonly encoder = new FrameEncoder(2 * 1024 * 1024);
  private readonly decoder = new FrameDecoder();
  private sequence = 0;
  encode(quotes: WireQuote[]): Buffer {
    return this.encoder.encode({ type: MessageType.QUOTE_BATCH, quotes, sequence: ++this.sequence, sendTime: Date.now() });
  }
  decode(bytes: Buffer): WireQuote[] {
    this.decoder.reset(); // the same frame again each time: not a sequence gap
    const [frame]: FeedFrame[] = this.decoder.push(bytes);
    return frame.type === MessageType.QUOTE_BATCH ? frame.quotes : [];
  }
}

class JsonCodec implements Codec {
  name = 'JSON.stringify / JSON.parse';
  encode(quotes: WireQuote[]): Buffer {
    return Buffer.from(JSON.stringify(quotes));
  }
  decode(bytes: Buffer): WireQuote[] {
    return JSON.parse(bytes.toString('utf8')) as WireQuote[];
  }
}

/** Median seconds of REPEAT timed runs of `n` calls (untimed warm-up first). */
function time(n: number, fn: (i: number) => unknown): number {
  let sink = 0;
  for (let i = 0; i < Math.min(n, 20); i++) sink ^= fn(i) ? 1 : 0;
  const runs: number[] = [];
  for (let r = 0; r < REPEAT; r++) {
    gc();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) sink ^= fn(i) ? 1 : 0;
    runs.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  if (sink === 2) console.log(''); // keeps results observable
  return runs.sort((a, b) => a - b)[runs.length >> 1];
}

interface Row {
  name: string;
  bytes: number;
  encode: number;
  decode: number;
  both: number;
}

function measure(codec: Codec, batches: WireQuote[][]): Row {
  const encoded = batches.map((b) => Buffer.from(codec.encode(b)));
  batches.forEach((b, i) => {
    if (!isDeepStrictEqual(codec.decode(encoded[i]), b)) throw new Error(`${codec.name} did not round-trip batch ${i}`);
  });
  const pick = (i: number) => i % batches.length;
  console.log(`${codec.name}: encode ...`);
  const encode = time(BATCHES, (i) => codec.encode(batches[pick(i)]).length);
  console.log(`${codec.name}: decode ...`);
  const decode = time(BATCHES, (i) => codec.decode(encoded[pick(i)]).length);
  console.log(`${codec.name}: encode + decode ...`);
  const both = time(BATCHES, (i) => codec.decode(Buffer.from(codec.encode(batches[pick(i)]))).length);
  return { name: codec.name, bytes: encoded[0].length, encode, decode, both };
}

/** The textbook one-table loop, to show what slicing-by-8 buys. */
const BYTE_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32Bytewise(b: Uint8Array): number {
  let c = ~0 >>> 0;
  for (let i = 0; i < b.length; i++) c = BYTE_TABLE[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const mb = (bytes: number, s: number) => (bytes / s / 1e6).toFixed(1);

function main(): void {
  const batches = [1, 2, 3, 4].map((seed) => makeBatch(BATCH, seed));
  const quotes = BATCH * BATCHES;
  const rows = [new BinaryCodec(), new JsonCodec()].map((c) => measure(c, batches));
  const body = new FrameEncoder(2 * 1024 * 1024).encode({ type: MessageType.QUOTE_BATCH, quotes: batches[0], sequence: 1, sendTime: 0 });
  const crcRuns = 100;
  const crc = [
    ['ours, slicing-by-8 (table-driven JS)', time(crcRuns, () => crc32(body))],
    ['one-table byte-at-a-time JS', time(crcRuns, () => crc32Bytewise(body))],
    ['zlib.crc32 (native, reference)', time(crcRuns, () => zlib.crc32(body))],
  ] as const;

  const table = rows.map(
    (r) =>
      `| ${r.name} | ${fmt(r.bytes / BATCH)} | ${fmt(r.bytes)} | ${fmt(quotes / r.encode)} | ${mb(r.bytes * BATCHES, r.encode)} | ` +
      `${fmt(quotes / r.decode)} | ${mb(r.bytes * BATCHES, r.decode)} | ${fmt(quotes / r.both)} | ${((r.both / BATCHES) * 1e3).toFixed(2)} |`,
  );
  const [bin, json] = rows;
  table.push(
    `| **ratio binary/JSON** | ${(bin.bytes / json.bytes).toFixed(2)}x | | **${(json.encode / bin.encode).toFixed(1)}x** | | ` +
      `**${(json.decode / bin.decode).toFixed(1)}x** | | **${(json.both / bin.both).toFixed(1)}x** | |`,
  );
  const cpus = os.cpus();
  const md = [
    '# Market-data feed codec benchmark',
    '',
    `Node ${process.version}, ${cpus[0]?.model ?? 'unknown CPU'} (${cpus.length} logical CPUs), ${os.platform()} ${os.release()}; ` +
      `run ${new Date().toISOString().slice(0, 10)}. One thread; ${fmt(BATCHES)} batches of ${fmt(BATCH)} quotes (full quote + 5x5 depth) ` +
      `per timed run, median of ${REPEAT} runs.`,
    '',
    '| codec | bytes/quote | bytes per 5,000-quote batch | encode quotes/s | encode MB/s | decode quotes/s | decode MB/s | encode+decode quotes/s | ms per batch (enc+dec) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...table,
    '',
    `- Binary encode is \`FrameEncoder.encode\` into a reused buffer (validation of every quote + CRC-32 of the body included); ` +
      'binary decode is `FrameDecoder.push` of a whole frame to `QuoteSnapshot`-shaped objects (header and body CRC-32, ' +
      'per-quote validation included). JSON is `Buffer.from(JSON.stringify(batch))` and `JSON.parse(buf.toString())`, ' +
      'with no validation and no checksum. Both round-trip the batches exactly (checked before timing). MB = 10^6 bytes of wire.',
    `- Target (DESIGN §8): 5,000 instruments × 1 update/s with 10x bursts = 50,000 quotes/s. Binary encode+decode on one core ` +
      `handles ${fmt(quotes / bin.both)} quotes/s, ${fmt(quotes / bin.both / 50_000)}x the burst rate; a full 5,000-quote batch costs ` +
      `${((bin.both / BATCHES) * 1e3).toFixed(2)} ms to encode and decode and ${fmt(bin.bytes)} bytes on the wire.`,
    '- Decode allocates the `QuoteSnapshot` objects consumers want (13 per quote). Once decoded quotes survive a GC — here ' +
      'after the round-trip check, in a real consumer because it keeps the latest quote per instrument — V8 pretenures those ' +
      'allocation sites into old space and binary decode costs about 2.5x what it does when every result dies young ' +
      '(~2 ms per batch measured that way; `node --no-allocation-site-pretenuring` recovers most of it). ' +
      'The table reports the retained, slower case.',
    '',
    '| CRC-32 over one 5,000-quote body (~1 MB) | MB/s |',
    '|---|---:|',
    ...crc.map(([name, s]) => `| ${name} | ${fmt(body.length / (s / crcRuns) / 1e6)} |`),
    '',
  ].join('\n');
  console.log('\n' + md);
  const out = path.join(__dirname, '..', 'results', 'feed.md');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, md);
  console.log(`written ${path.relative(process.cwd(), out)}`);
}

main();
