import { encodeFrame, FrameDecoder, frameSize, MessageType, type WireQuote } from '../../../common/feed-protocol';

/**
 * The leader → every replica channel. One channel, two kinds of message, in publish order:
 *
 *   Q1|<epoch>|<seq>|<publishedAt>|<base64 of feed QUOTE_BATCH frames>
 *   S1|<epoch>|<seq>|<publishedAt>|<feedUp 0/1>|<feedDownMs>
 *
 * A quotes message carries a whole feed batch (hundreds to thousands of instruments), not one
 * symbol: at 5,000 updates/s per-symbol channels would be 5,000 PUBLISHes/s into Redis and 5,000
 * deliveries/s into every replica, each with its own parse and dispatch; a batch is ~10 of each.
 * The body is the feed's own binary frame (200 B/quote, CRC-checked, decoded at ~0.9M quotes/s
 * here), base64 because the PubSub port carries strings: 267 B/quote against ~750 B as JSON,
 * and 4x faster to decode (bench/results/feed.md). `epoch` is the leader's fenced term and
 * `seq` counts its messages, so a replica sees both a missed message and a change of leader.
 * The status message is the leader's heartbeat (every second): it says whether the feed is up,
 * so replicas can flag quotes stale even while the leader is alive.
 */
export const QUOTES_CHANNEL = 'market.quotes';

/** Feed frames are at most this many quotes (the feed server's own default). */
const QUOTES_PER_FRAME = 1000;

interface Header {
  epoch: number;
  seq: number;
  publishedAt: number;
}
export type BusMessage =
  | (Header & { kind: 'quotes'; quotes: WireQuote[] })
  | (Header & { kind: 'status'; feedUp: boolean; feedDownMs: number });

export class BusEncoder {
  quotes(header: Header, quotes: readonly WireQuote[]): string {
    const frames = [];
    for (let from = 0, n = 1; from < quotes.length; from += QUOTES_PER_FRAME, n++) {
      const to = Math.min(quotes.length, from + QUOTES_PER_FRAME);
      frames.push({ type: MessageType.QUOTE_BATCH, quotes, from, to, sequence: n, sendTime: header.publishedAt } as const);
    }
    // One buffer, one base64 pass: frames are not multiples of 3 bytes, so their base64 would not concatenate.
    const out = Buffer.allocUnsafe(frames.reduce((n, f) => n + frameSize(f), 0));
    let offset = 0;
    for (const f of frames) offset += encodeFrame(out, f, offset);
    return `Q1|${header.epoch}|${header.seq}|${header.publishedAt}|${out.toString('base64')}`;
  }

  status(header: Header, feedUp: boolean, feedDownMs: number): string {
    return `S1|${header.epoch}|${header.seq}|${header.publishedAt}|${feedUp ? 1 : 0}|${Math.max(0, Math.round(feedDownMs))}`;
  }
}

export class BusDecoder {
  private readonly decoder = new FrameDecoder();
  /** Messages that could not be read (bad frame, unknown kind): counted, never thrown. */
  rejected = 0;

  /** The header alone (a replica skips a message it already has without decoding the body). */
  peek(text: string): (Header & { kind: BusMessage['kind']; bodyAt: number }) | null {
    const kind = text.startsWith('Q1|') ? 'quotes' : text.startsWith('S1|') ? 'status' : null;
    if (kind === null) return null;
    const a = text.indexOf('|', 3);
    const b = a < 0 ? -1 : text.indexOf('|', a + 1);
    const c = b < 0 ? -1 : text.indexOf('|', b + 1);
    if (c < 0) return null;
    const header = { epoch: Number(text.slice(3, a)), seq: Number(text.slice(a + 1, b)), publishedAt: Number(text.slice(b + 1, c)) };
    if (!Number.isSafeInteger(header.epoch) || !Number.isSafeInteger(header.seq) || !Number.isFinite(header.publishedAt)) return null;
    return { kind, ...header, bodyAt: c + 1 };
  }

  decode(text: string): BusMessage | null {
    const h = this.peek(text);
    if (h === null) return this.reject();
    const header = { epoch: h.epoch, seq: h.seq, publishedAt: h.publishedAt };
    if (h.kind === 'status') {
      const [up, down] = text.slice(h.bodyAt).split('|');
      return { kind: 'status', ...header, feedUp: up === '1', feedDownMs: Number(down) || 0 };
    }
    this.decoder.reset();
    const quotes: WireQuote[] = [];
    const before = this.decoder.stats.dropped + this.decoder.stats.invalidPackets;
    for (const frame of this.decoder.push(Buffer.from(text.slice(h.bodyAt), 'base64'))) {
      if (frame.type === MessageType.QUOTE_BATCH) for (const q of frame.quotes) quotes.push(q);
    }
    if (this.decoder.stats.dropped + this.decoder.stats.invalidPackets > before) this.rejected++;
    return { kind: 'quotes', ...header, quotes };
  }

  private reject(): null {
    this.rejected++;
    return null;
  }
}
