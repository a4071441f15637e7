import net from 'node:net';
import { Logger } from '@nestjs/common';
import {
  HEADER_SIZE,
  MAX_PACKETS_PER_FRAME,
  MessageType,
  encodeFrame,
  frameSize,
  quoteProblem,
  type WireQuote,
} from '../../../common/feed-protocol';
import type { MarketDataSource, QuoteSnapshot } from '../../../common/exchange-protocol/venue.types';
import { FeedConnection, type SharedFrame } from './feed-connection';

export interface FeedServerOptions {
  /** 0 binds an ephemeral port; start() returns the one bound. */
  port: number;
  /** Default 127.0.0.1; 0.0.0.0 when the broker runs on another host or container. */
  host?: string;
  /** A connection with no other frame for this long gets a HEARTBEAT. Default 1,000 ms. */
  heartbeatMs?: number;
  /**
   * A connection whose unsent bytes (socket.writableLength) would exceed this is dropped as a slow
   * consumer. Default 8 MiB: ~8 s of the whole 5,000-instrument universe at 1 update/s, and well
   * above one full snapshot (~1 MB), which is written on connect without this check.
   */
  maxBufferedBytes?: number;
  /** Quotes per QUOTE_BATCH frame; larger source batches span several frames. Default 1,000 (~200 KB). */
  maxPacketsPerFrame?: number;
  logger?: { log(message: string): void; warn(message: string): void; error(message: string): void };
}

export interface FeedServerStats {
  connections: number;
  accepted: number;
  snapshots: number;
  /** Source batches published (to at least one connection). */
  batches: number;
  quotes: number;
  /** Broadcast frames encoded (once each, whatever the number of connections). */
  frames: number;
  /** Bytes handed to sockets, all connections. */
  bytesWritten: number;
  heartbeats: number;
  slowConsumerDrops: number;
  /** Quotes from the source that broke quoteProblem's rules and were not sent. */
  invalidQuotes: number;
}

/** Grace for subscribers to read SESSION_END and close before stop() cuts them off. */
const STOP_GRACE_MS = 1000;

/**
 * The simulator's market-data publisher: TCP, binary frames (common/feed-protocol). Each new
 * connection gets SNAPSHOT_BEGIN, the full state, SNAPSHOT_END, then the live batches. A batch is
 * encoded once for all connections; sequence numbers stay per connection by stamping only a
 * header copy (see FeedConnection.sendShared). Everything runs on the event loop in the source's
 * emit, so a snapshot and the live stream that follows it can neither overlap nor miss a batch —
 * provided the source updates what snapshots() returns before it emits the batch.
 */
export class FeedServer {
  /** ProtocolListener (simulator/protocol-listeners.ts): plug in as `feedServer: (ctx) => new FeedServer(ctx.target, { port: ctx.port, host: ctx.host, logger: ctx.log })`. */
  readonly name = 'binary feed server';
  private readonly host: string;
  private readonly heartbeatMs: number;
  private readonly maxBufferedBytes: number;
  private readonly maxPacketsPerFrame: number;
  private readonly logger: NonNullable<FeedServerOptions['logger']>;
  private port: number;
  private server: net.Server | null = null;
  private unsubscribe: (() => void) | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private readonly connections = new Set<FeedConnection>();
  private nextConnectionId = 1;
  private readonly counters = {
    accepted: 0,
    snapshots: 0,
    batches: 0,
    quotes: 0,
    frames: 0,
    bytesWritten: 0,
    heartbeats: 0,
    slowConsumerDrops: 0,
    invalidQuotes: 0,
  };

  constructor(
    private readonly source: MarketDataSource,
    options: FeedServerOptions,
  ) {
    this.port = options.port;
    this.host = options.host ?? '127.0.0.1';
    this.heartbeatMs = options.heartbeatMs ?? 1000;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 8 * 1024 * 1024;
    this.maxPacketsPerFrame = Math.max(1, Math.min(options.maxPacketsPerFrame ?? 1000, MAX_PACKETS_PER_FRAME));
    this.logger = options.logger ?? new Logger(FeedServer.name);
  }

  get stats(): FeedServerStats {
    // Closed connections' bytes are folded into the counter on close; add the open ones'.
    let open = 0;
    for (const c of this.connections) open += c.bytesWritten;
    return { ...this.counters, bytesWritten: this.counters.bytesWritten + open, connections: this.connections.size };
  }

  /** Listens and starts publishing; resolves with the bound port. */
  async start(): Promise<number> {
    if (this.server) throw new Error('FeedServer already started');
    const server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.logger.error(`feed server error: ${err.message}`));
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
    this.unsubscribe = this.source.onQuotes((batch) => this.publish(batch));
    this.heartbeatTimer = setInterval(() => this.heartbeat(), Math.max(10, this.heartbeatMs / 4));
    this.logger.log(`feed listening on ${this.host}:${this.port}`);
    return this.port;
  }

  /** Tells every subscriber SESSION_END, closes their connections (forcibly after a grace period) and the listener. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const now = Date.now();
    for (const c of this.connections) {
      c.sendSessionEnd(now);
      c.socket.end();
    }
    const force = setTimeout(() => {
      for (const c of this.connections) c.socket.destroy();
    }, STOP_GRACE_MS);
    await closed;
    clearTimeout(force);
  }

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    const c = new FeedConnection(this.nextConnectionId++, socket);
    this.counters.accepted++;
    socket.on('error', (err) => this.logger.warn(`feed connection ${c.id} (${c.remote}): ${err.message}`));
    socket.on('close', () => {
      this.connections.delete(c);
      this.counters.bytesWritten += c.bytesWritten;
    });
    // Subscribers only send TCP acks; anything else is ignored (and must not pile up unread).
    socket.on('data', () => undefined);
    try {
      const quotes = this.valid(this.source.snapshots());
      c.sendSnapshot(quotes, this.maxPacketsPerFrame, Date.now());
      this.counters.snapshots++;
      this.connections.add(c);
    } catch (err) {
      this.logger.error(`feed snapshot for connection ${c.id} failed: ${(err as Error).message}`);
      socket.destroy();
    }
  }

  private publish(batch: readonly QuoteSnapshot[]): void {
    if (this.connections.size === 0 || batch.length === 0) return;
    try {
      const quotes = this.valid(batch);
      if (quotes.length === 0) return;
      const now = Date.now();
      const frames = this.encodeShared(quotes, now);
      const bytes = frames.reduce((n, f) => n + f.frame.length, 0);
      for (const c of this.connections) {
        if (c.socket.writableLength + bytes > this.maxBufferedBytes) this.dropSlow(c, bytes);
        else c.sendShared(frames, now);
      }
      this.counters.batches++;
      this.counters.quotes += quotes.length;
      this.counters.frames += frames.length;
    } catch (err) {
      // Called inside the source's emit: a failure here must not propagate into the simulator.
      this.logger.error(`feed publish failed: ${(err as Error).stack ?? String(err)}`);
    }
  }

  /** The batch as frames of at most maxPacketsPerFrame, encoded with sequence 0 into one buffer. */
  private encodeShared(quotes: readonly WireQuote[], now: number): SharedFrame[] {
    const bodies = [];
    for (let from = 0; from < quotes.length; from += this.maxPacketsPerFrame) {
      bodies.push({ type: MessageType.QUOTE_BATCH, quotes, from, to: Math.min(quotes.length, from + this.maxPacketsPerFrame) } as const);
    }
    // Fresh per batch, not reused: sockets hold a reference to written buffers until flushed.
    const out = Buffer.allocUnsafe(bodies.reduce((n, b) => n + frameSize(b), 0));
    const frames: SharedFrame[] = [];
    let offset = 0;
    for (const b of bodies) {
      const n = encodeFrame(out, { ...b, sequence: 0, sendTime: now }, offset);
      frames.push({ frame: out.subarray(offset, offset + n), body: out.subarray(offset + HEADER_SIZE, offset + n) });
      offset += n;
    }
    return frames;
  }

  /** The batch itself when every quote is sendable (the normal case, no copy); else the sendable ones. */
  private valid(batch: readonly QuoteSnapshot[]): readonly WireQuote[] {
    let bad = 0;
    for (const q of batch) if (quoteProblem(q) !== null) bad++;
    if (bad === 0) return batch;
    this.counters.invalidQuotes += bad;
    const sample = batch.find((q) => quoteProblem(q) !== null)!;
    this.logger.warn(`feed: ${bad} invalid quote(s) not sent, e.g. token ${sample.instrumentToken}: ${quoteProblem(sample)}`);
    return batch.filter((q) => quoteProblem(q) === null);
  }

  private heartbeat(): void {
    const now = Date.now();
    for (const c of this.connections) {
      if (c.socket.writableLength > this.maxBufferedBytes) this.dropSlow(c, 0);
      else if (now - c.lastSentAt >= this.heartbeatMs) {
        c.sendHeartbeat(now);
        this.counters.heartbeats++;
      }
    }
  }

  private dropSlow(c: FeedConnection, incoming: number): void {
    this.counters.slowConsumerDrops++;
    this.connections.delete(c);
    this.logger.warn(
      `feed connection ${c.id} (${c.remote}) dropped as a slow consumer: ${c.socket.writableLength} bytes unsent + ${incoming} due > ${this.maxBufferedBytes}`,
    );
    c.socket.destroy();
  }
}
