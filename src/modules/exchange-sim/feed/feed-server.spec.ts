import net from 'node:net';
import { FrameDecoder, MessageType, type FeedFrame } from '../../../common/feed-protocol';
import { makeBatch, makeQuote } from '../../../common/feed-protocol/testing/quote-factory';
import type { MarketDataSource, QuoteSnapshot } from '../../../common/exchange-protocol/venue.types';
import type { ListenerFactory, ProtocolListener } from '../simulator/protocol-listeners';
import { FeedServer } from './feed-server';

/** The simulator's plug point accepts the server as it is (tsc checks this line). */
const factory: ListenerFactory = (ctx) => new FeedServer(ctx.target, { port: ctx.port, host: ctx.host, logger: ctx.log });

class StaticSource implements MarketDataSource {
  listener: ((batch: QuoteSnapshot[]) => void) | null = null;
  constructor(private readonly state: QuoteSnapshot[]) {}
  onQuotes(l: (batch: QuoteSnapshot[]) => void): () => void {
    this.listener = l;
    return () => (this.listener = null);
  }
  snapshot(token: number): QuoteSnapshot | undefined {
    return this.state.find((q) => q.instrumentToken === token);
  }
  snapshots(): QuoteSnapshot[] {
    return this.state;
  }
}

const warnings: string[] = [];
const logger = { log: () => undefined, warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) };

/** A raw subscriber: every frame the server sent, decoded. */
async function subscribe(port: number): Promise<{ frames: FeedFrame[]; decoder: FrameDecoder; socket: net.Socket }> {
  const decoder = new FrameDecoder();
  const frames: FeedFrame[] = [];
  const socket = net.connect({ port, host: '127.0.0.1' });
  socket.on('data', (chunk) => frames.push(...decoder.push(chunk)));
  await new Promise((r) => socket.once('connect', r));
  return { frames, decoder, socket };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}

describe('FeedServer', () => {
  it('is a ProtocolListener', () => {
    expect(typeof factory).toBe('function');
    const server: ProtocolListener = new FeedServer(new StaticSource([]), { port: 0 });
    expect(server.name).toBe('binary feed server');
  });

  it('numbers every frame per connection, chunks the snapshot, heartbeats when idle, encodes a batch once', async () => {
    const source = new StaticSource(makeBatch(5));
    const server = new FeedServer(source, { port: 0, heartbeatMs: 50, maxPacketsPerFrame: 2, logger });
    const port = await server.start();
    try {
      const [a, b] = [await subscribe(port), await subscribe(port)];
      await until(() => a.frames.length >= 5 && b.frames.length >= 5);
      expect(a.frames.slice(0, 5).map((f) => f.type)).toEqual([
        MessageType.SNAPSHOT_BEGIN,
        MessageType.QUOTE_BATCH, // 2 + 2 + 1 quotes
        MessageType.QUOTE_BATCH,
        MessageType.QUOTE_BATCH,
        MessageType.SNAPSHOT_END,
      ]);
      await until(() => a.frames.some((f) => f.type === MessageType.HEARTBEAT));
      source.listener!(makeBatch(3, 7));
      await until(() => [a, b].every((s) => s.frames.filter((f) => f.type === MessageType.QUOTE_BATCH).length === 5));
      for (const s of [a, b]) {
        expect(s.frames.map((f) => f.sequence)).toEqual(s.frames.map((_, i) => i + 1));
        expect(s.decoder.stats).toMatchObject({ gaps: 0, dropped: 0 });
      }
      expect(server.stats).toMatchObject({ connections: 2, snapshots: 2, batches: 1, quotes: 3, frames: 2 });
      a.socket.destroy();
      b.socket.destroy();
    } finally {
      await server.stop();
    }
  });

  it('leaves out quotes a reader would drop, logs and counts them, and sends the rest', async () => {
    const source = new StaticSource([makeQuote(1)]);
    const server = new FeedServer(source, { port: 0, logger });
    const port = await server.start();
    try {
      const s = await subscribe(port);
      await until(() => s.frames.some((f) => f.type === MessageType.SNAPSHOT_END));
      source.listener!([makeQuote(1), makeQuote(2, { low: 0 }), makeQuote(3, { lastPrice: 1.5 })]);
      await until(() => s.frames.filter((f) => f.type === MessageType.QUOTE_BATCH).length === 2);
      const live = s.frames.filter((f) => f.type === MessageType.QUOTE_BATCH).at(-1)!;
      expect(live.type === MessageType.QUOTE_BATCH && live.quotes).toEqual([makeQuote(1)]);
      expect(server.stats.invalidQuotes).toBe(2);
      expect(warnings.some((w) => /2 invalid quote\(s\) not sent, e\.g\. token 2/.test(w))).toBe(true);
      s.socket.destroy();
    } finally {
      await server.stop();
    }
  });
});
