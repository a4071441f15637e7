import type { TickMode } from '../../../sdk/protocol';
import type { Quote, QuotesUpdatedEvent } from '../../market-data/market-data.events';
import { broadcastLatency, framesSent, slowConsumersDropped, tickDeliveries } from '../realtime.metrics';

export type WireProtocol = 'socketio' | 'kite';
export type Fragment = string | Buffer;

/** How one protocol encodes an instrument's latest quote; called once per room per flush. */
export interface FrameCodec {
  tick(q: Quote, mode: TickMode): Fragment;
  /** A separate depth item (null when the protocol carries depth inside the tick, or the mode has none). */
  depth(q: Quote, mode: TickMode): Fragment | null;
}

/** A connection, as the fan-out sees it. */
export interface FrameWriter {
  readonly protocol: WireProtocol;
  /** False while the previous frame is still on its way out: the member is conflated, not queued. */
  canWrite(): boolean;
  /** User-space bytes queued for the connection (what would grow without a limit). */
  bufferedBytes(): number;
  /** Writes one flush's items; returns how many WebSocket messages that took. */
  write(ticks: Fragment[], depth: Fragment[]): number;
  /** Closes the connection as a slow consumer. */
  drop(): void;
}

/** Everyone watching one instrument in one protocol and mode; its encoding is shared by all of them. */
class Room {
  readonly members = new Set<Member>();
  /** The latest quote's encoding, refreshed by the flush that saw it change. */
  fragment: Fragment | null = null;
  depthFragment: Fragment | null = null;

  constructor(
    readonly token: number,
    readonly slot: number,
    readonly protocol: WireProtocol,
    readonly mode: TickMode,
  ) {}
}

const NO_ROOMS: ReadonlyMap<number, Room> = new Map();

export class Member {
  /** Instrument token → the room this member is in for it (one mode per instrument); created on first subscribe. */
  private own: Map<number, Room> | null = null;
  /** Rooms changed since this member's last frame; created on first use (idle sockets carry none). */
  batch: Room[] | null = null;
  /** The flush that last put this member on its list (one entry per flush without a Set). */
  flushMark = 0;
  /** The batch outlived a flush (the connection could not take a frame): check it before use. */
  carried = false;
  left = false;

  constructor(readonly writer: FrameWriter) {}

  get rooms(): ReadonlyMap<number, Room> {
    return this.own ?? NO_ROOMS;
  }

  get subscriptions(): number {
    return this.own?.size ?? 0;
  }

  modeOf(token: number): TickMode | undefined {
    return this.own?.get(token)?.mode;
  }

  /** For the fan-out only. */
  enter(token: number, room: Room): void {
    (this.own ??= new Map()).set(token, room);
  }

  exit(token: number): void {
    this.own?.delete(token);
  }
}

const NO_FRAGMENTS: Fragment[] = [];
const PROTOCOLS: readonly WireProtocol[] = ['socketio', 'kite'];
const MODES: readonly TickMode[] = ['ltp', 'quote', 'full'];
const slotOf = (protocol: WireProtocol, mode: TickMode) => PROTOCOLS.indexOf(protocol) * MODES.length + MODES.indexOf(mode);

export interface FanoutOptions {
  /** Minimum time between two flushes: the conflation window. */
  flushMs: number;
  maxSubscriptions: number;
  sendBufferLimitBytes: number;
  codecs: Record<WireProtocol, FrameCodec>;
}

export interface SubscribeResult {
  accepted: number[];
  overLimit: number[];
}

/**
 * Fans quotes out to connections. Quotes arrive in batches; each instrument has one room per
 * protocol × mode. A flush encodes each changed room once, then writes each affected member one
 * frame holding all its changed instruments (latest value wins). A member whose previous frame
 * has not left yet is skipped and keeps its batch, so a slow reader gets fewer, fresher
 * frames instead of a growing queue; one whose user-space buffer passes the limit anyway is dropped.
 * Leading-edge throttle: a batch after a quiet period goes out at once; within `flushMs` of the
 * last flush it waits for the window to end. The window must be shorter than the upstream batch
 * period: equal to it, each flush starts from the previous one's start, and one late batch shifts
 * every later flush behind its batch (measured: +30 ms median latency with 100 ms on both).
 */
export class TickFanout {
  private readonly latest = new Map<number, Quote>();
  private readonly channels = new Map<number, (Room | undefined)[]>();
  private readonly dirty = new Set<number>();
  private backlog: Member[] = [];
  private publishedAt: number[] = [];
  private flushes = 0;
  private lastFlush = 0;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private subscriptionCount = 0;
  private closed = false;

  constructor(private readonly options: FanoutOptions) {}

  get subscriptions(): number {
    return this.subscriptionCount;
  }

  quote(token: number): Quote | undefined {
    return this.latest.get(token);
  }

  subscribe(member: Member, tokens: readonly number[], mode: TickMode): SubscribeResult {
    const accepted: number[] = [];
    const overLimit: number[] = [];
    for (const token of tokens) {
      const current = member.rooms.get(token);
      if (current?.mode === mode) {
        accepted.push(token);
        continue;
      }
      if (current) this.removeFromRoom(token, current, member);
      else if (member.rooms.size >= this.options.maxSubscriptions) {
        overLimit.push(token);
        continue;
      } else this.subscriptionCount++;
      const room = this.roomFor(token, member.writer.protocol, mode);
      room.members.add(member);
      member.enter(token, room);
      accepted.push(token);
    }
    return { accepted, overLimit };
  }

  unsubscribe(member: Member, tokens: Iterable<number>): number[] {
    const removed: number[] = [];
    for (const token of [...tokens]) {
      const room = member.rooms.get(token);
      if (!room) continue;
      this.removeFromRoom(token, room, member);
      member.exit(token);
      this.subscriptionCount--;
      removed.push(token);
    }
    return removed;
  }

  leave(member: Member): void {
    if (member.left) return;
    member.left = true;
    this.unsubscribe(member, member.rooms.keys());
    member.batch = null;
  }

  publish(event: QuotesUpdatedEvent): void {
    if (this.closed) return;
    let watched = false;
    for (const q of event.quotes) {
      this.latest.set(q.instrumentToken, q);
      if (this.channels.has(q.instrumentToken)) {
        this.dirty.add(q.instrumentToken);
        watched = true;
      }
    }
    if (!watched) return;
    this.publishedAt.push(event.publishedAt);
    this.schedule();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = this.immediate = null;
  }

  private schedule(): void {
    if (this.timer || this.immediate || this.closed) return;
    const wait = this.lastFlush + this.options.flushMs - Date.now();
    if (wait <= 0) this.immediate = setImmediate(() => this.flush());
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Public for tests that need a flush now; production flushes come from schedule(). */
  flush(): void {
    this.timer = this.immediate = null;
    this.lastFlush = Date.now();
    const mark = ++this.flushes;
    // 1. Encode each changed room once and note it on each member's batch.
    const touched: Member[] = this.backlog;
    this.backlog = [];
    for (const member of touched) member.flushMark = mark;
    for (const token of this.dirty) {
      const rooms = this.channels.get(token);
      const quote = this.latest.get(token);
      if (!rooms || !quote) continue;
      for (const room of rooms) {
        if (!room || room.members.size === 0) continue;
        this.encode(room, quote);
        for (const member of room.members) {
          if (member.flushMark !== mark) {
            member.flushMark = mark;
            touched.push(member);
          }
          (member.batch ??= []).push(room);
        }
      }
    }
    this.dirty.clear();

    // 2. One frame per member, or keep its batch for later if it cannot take one now.
    let frames = 0;
    let deliveries = 0;
    for (const member of touched) {
      const batch = member.batch;
      if (member.left || !batch?.length) continue;
      const writer = member.writer;
      if (!writer.canWrite()) {
        if (writer.bufferedBytes() > this.options.sendBufferLimitBytes) this.dropSlow(member);
        else {
          member.carried = true;
          this.backlog.push(member);
        }
        continue;
      }
      const rooms = member.carried ? this.stillWatched(member, batch) : batch;
      member.carried = false;
      const ticks: Fragment[] = new Array(rooms.length);
      let depth: Fragment[] | null = null;
      for (let i = 0; i < rooms.length; i++) {
        const room = rooms[i];
        ticks[i] = room.fragment!;
        if (room.depthFragment) (depth ??= []).push(room.depthFragment);
      }
      batch.length = 0;
      if (ticks.length === 0) continue;
      frames += writer.write(ticks, depth ?? NO_FRAGMENTS);
      deliveries += ticks.length;
    }

    if (frames) framesSent.inc({ kind: 'tick' }, frames);
    if (deliveries) tickDeliveries.inc(deliveries);
    const end = Date.now();
    for (const at of this.publishedAt) broadcastLatency.observe(Math.max(0, end - at) / 1000);
    this.publishedAt = [];
    if (this.backlog.length) this.schedule();
  }

  /** A batch kept across flushes may repeat a room or hold one the member has since left or re-moded. */
  private stillWatched(member: Member, batch: Room[]): Room[] {
    return [...new Set(batch)].filter((room) => member.rooms.get(room.token) === room);
  }

  private encode(room: Room, quote: Quote): void {
    const codec = this.options.codecs[room.protocol];
    room.fragment = codec.tick(quote, room.mode);
    room.depthFragment = codec.depth(quote, room.mode);
  }

  private dropSlow(member: Member): void {
    slowConsumersDropped.inc();
    this.leave(member);
    member.writer.drop();
  }

  private roomFor(token: number, protocol: WireProtocol, mode: TickMode): Room {
    let rooms = this.channels.get(token);
    if (!rooms) this.channels.set(token, (rooms = []));
    const slot = slotOf(protocol, mode);
    return (rooms[slot] ??= new Room(token, slot, protocol, mode));
  }

  /** Empty rooms go, so memory follows what is watched now, not everything ever watched. */
  private removeFromRoom(token: number, room: Room, member: Member): void {
    room.members.delete(member);
    if (room.members.size) return;
    const rooms = this.channels.get(token);
    if (!rooms) return;
    rooms[room.slot] = undefined;
    if (rooms.every((r) => !r)) this.channels.delete(token);
  }
}
