import { EventEmitter } from 'node:events';
import net from 'node:net';
import { Logger } from '@nestjs/common';
import { backoffDelay } from './backoff';
import { FrameDecoder, type DecoderStats } from './frame-decoder';
import { MessageType, type FeedFrame, type SequenceGap, type WireQuote } from './wire.types';

export interface FeedClientOptions {
  /** First reconnect delay (default 100 ms); doubles per failed attempt up to maxBackoffMs (default 5 s), jittered. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** No frame at all, heartbeats included, for this long means a dead link: reconnect. Default 3,500 ms (publisher heartbeats every 1 s). */
  staleAfterMs?: number;
  /**
   * On a sequence gap drop the connection and take a fresh snapshot (default true): the consumer's
   * state has missed updates and TCP gives no way to ask for just those.
   */
  resyncOnGap?: boolean;
  maxFrameBytes?: number;
  logger?: { log(message: string): void; warn(message: string): void; error(message: string): void };
  /** Jitter source; tests pin it. */
  random?: () => number;
}

export interface FeedClientEvents {
  /** TCP connected; a snapshot follows. */
  connected: [];
  /** The complete state on (re)connect: replace what you hold, do not merge. */
  snapshot: [quotes: WireQuote[]];
  /** Live updates after the snapshot; one event per frame (a large source batch may span frames). */
  quotes: [quotes: WireQuote[]];
  gap: [gap: SequenceGap];
  /** A connection that had been established is gone; the client is reconnecting unless closed. */
  disconnected: [reason: string];
}

export interface FeedClientStats {
  connected: boolean;
  connects: number;
  disconnects: number;
  snapshots: number;
  batches: number;
  quotes: number;
  heartbeats: number;
  gaps: number;
  /** Accumulated over all connections. */
  decoder: DecoderStats;
}

/**
 * Reconnecting reader of the simulator's binary feed (the broker's market-data handler sits on
 * this). One TCP connection at a time; every (re)connect starts with a full snapshot, so the
 * consumer never has to reason about what it missed while away.
 */
export class FeedClient extends EventEmitter<FeedClientEvents> {
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly staleAfterMs: number;
  private readonly resyncOnGap: boolean;
  private readonly logger: NonNullable<FeedClientOptions['logger']>;
  private readonly random: () => number;
  private readonly decoder: FrameDecoder;
  private target: { host: string; port: number } | null = null;
  private socket: net.Socket | null = null;
  private established = false;
  private dropReason = '';
  private closed = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  /** Non-null between SNAPSHOT_BEGIN and SNAPSHOT_END. */
  private snapshot: WireQuote[] | null = null;
  private readonly counters = { connects: 0, disconnects: 0, snapshots: 0, batches: 0, quotes: 0, heartbeats: 0, gaps: 0 };

  constructor(options: FeedClientOptions = {}) {
    super();
    this.minBackoffMs = options.minBackoffMs ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.staleAfterMs = options.staleAfterMs ?? 3500;
    this.resyncOnGap = options.resyncOnGap ?? true;
    this.logger = options.logger ?? new Logger(FeedClient.name);
    this.random = options.random ?? Math.random;
    this.decoder = new FrameDecoder({ maxFrameBytes: options.maxFrameBytes });
  }

  get stats(): FeedClientStats {
    return { ...this.counters, connected: this.established, decoder: { ...this.decoder.stats } };
  }

  connect(host: string, port: number): void {
    if (this.target) throw new Error('FeedClient.connect() was already called; create another client for another feed');
    this.target = { host, port };
    this.open();
  }

  /** Stops reconnecting and closes the connection; resolves once the socket is closed. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const socket = this.socket;
    if (!socket || socket.closed) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }

  private open(): void {
    this.reconnectTimer = null;
    if (this.closed || !this.target) return;
    this.decoder.reset();
    this.snapshot = null;
    this.established = false;
    this.dropReason = 'closed by the server';
    const socket = net.connect({ host: this.target.host, port: this.target.port, noDelay: true });
    this.socket = socket;
    socket.setTimeout(this.staleAfterMs);
    socket.on('connect', () => {
      this.established = true;
      this.counters.connects++;
      this.safely(() => this.emit('connected'));
    });
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.decoder.push(chunk)) {
        if (this.socket !== socket || socket.destroyed) return;
        this.handle(socket, frame);
      }
    });
    socket.on('timeout', () => this.drop(socket, `no frame for ${this.staleAfterMs} ms`));
    socket.on('error', (err) => {
      if (this.socket === socket) this.dropReason = err.message;
    });
    socket.on('close', () => this.onClose(socket));
  }

  private handle(socket: net.Socket, frame: FeedFrame): void {
    if (frame.gap) {
      this.counters.gaps++;
      this.safely(() => this.emit('gap', frame.gap!));
      if (this.resyncOnGap) return this.drop(socket, `sequence gap: expected ${frame.gap.expected}, got ${frame.gap.received}`);
    }
    switch (frame.type) {
      case MessageType.SNAPSHOT_BEGIN:
        this.snapshot = [];
        return;
      case MessageType.QUOTE_BATCH:
        if (this.snapshot) {
          for (const q of frame.quotes) this.snapshot.push(q);
          return;
        }
        this.counters.batches++;
        this.counters.quotes += frame.quotes.length;
        return this.safely(() => this.emit('quotes', frame.quotes));
      case MessageType.SNAPSHOT_END: {
        const quotes = this.snapshot;
        if (!quotes) return this.logger.warn('SNAPSHOT_END without SNAPSHOT_BEGIN ignored');
        this.snapshot = null;
        if (quotes.length !== frame.instrumentCount) {
          // Only invalid packets can cause this (CRC and sequence guard the rest); they are counted in stats.
          this.logger.warn(`snapshot carried ${quotes.length} valid quotes of ${frame.instrumentCount} announced`);
        }
        this.counters.snapshots++;
        // A good snapshot proves the publisher healthy: the next outage starts from the shortest delay.
        this.attempt = 0;
        return this.safely(() => this.emit('snapshot', quotes));
      }
      case MessageType.HEARTBEAT:
        this.counters.heartbeats++;
        return;
      case MessageType.SESSION_END:
        // A planned restart: come back at the shortest delay.
        this.attempt = 0;
        this.dropReason = `publisher ended the session (reason ${frame.reason})`;
        return;
    }
  }

  private drop(socket: net.Socket, reason: string): void {
    if (this.socket !== socket) return;
    this.dropReason = reason;
    this.logger.warn(`feed connection dropped: ${reason}`);
    socket.destroy();
  }

  private onClose(socket: net.Socket): void {
    if (this.socket !== socket) return;
    this.socket = null;
    if (this.established) {
      this.established = false;
      this.counters.disconnects++;
      const reason = this.dropReason;
      this.safely(() => this.emit('disconnected', reason));
    }
    if (this.closed) return;
    const delay = backoffDelay(this.attempt++, { minMs: this.minBackoffMs, maxMs: this.maxBackoffMs }, this.random);
    this.reconnectTimer = setTimeout(() => this.open(), delay);
  }

  /** A throwing listener is the listener's bug; it must not take the feed's socket handling down with it. */
  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.logger.error(`feed listener threw: ${(err as Error).stack ?? String(err)}`);
    }
  }
}
