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
  fragment: Fragment | null = null;
  depthFragment: Fragment | null = null;
  generation = -1;

  constructor(
    readonly slot: number,
    readonly protocol: WireProtocol,
    readonly mode: TickMode,
  ) {}
}

const NO_ROOMS: ReadonlyMap<number, Room> = new Map();

export class Member {
  /** Instrument token → the room this member is in for it (one mode per instrument); created on first subscribe. */
  private own: Map<number, Room> | null = null;
  /** Instruments changed since this member's last frame; created on first use (idle sockets carry none). */
  pending: Set<number> | null = null;
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
 * has not left yet is skipped and keeps its pending set, so a slow reader gets fewer, fresher
 * frames instead of a growing queue; one whose user-space buffer passes the limit anyway is dropped.
 * Leading-edge throttle: a batch after a quiet period goes out at once; within `flushMs` of the
 * last flush it waits for the window to end.
 */
export class TickFanout {
  private readonly latest = new Map<number, Quote>();
  private readonly channels = new Map<number, (Room | undefined)[]>();
  private readonly dirty = new Set<number>();
  private readonly backlog = new Set<Member>();
  private readonly touched = new Set<Member>();
  private publishedAt: number[] = [];
  private generation = 0;
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
      member.pending?.delete(token);
      this.subscriptionCount--;
      removed.push(token);
    }
    return removed;
  }

  leave(member: Member): void {
    if (member.left) return;
    member.left = true;
    this.unsubscribe(member, member.rooms.keys());
    this.backlog.delete(member);
    member.pending = null;
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
    const generation = ++this.generation;
    const touched = this.touched;
    for (const token of this.dirty) {
      const rooms = this.channels.get(token);
      if (!rooms) continue;
      for (const room of rooms) {
        if (!room) continue;
        for (const member of room.members) {
          (member.pending ??= new Set()).add(token);
          touched.add(member);
        }
      }
    }
    this.dirty.clear();
    for (const member of this.backlog) touched.add(member);
    this.backlog.clear();

    let frames = 0;
    let deliveries = 0;
    for (const member of touched) {
      if (member.left || !member.pending?.size) continue;
      const writer = member.writer;
      if (!writer.canWrite()) {
        if (writer.bufferedBytes() > this.options.sendBufferLimitBytes) this.dropSlow(member);
        else this.backlog.add(member);
        continue;
      }
      const ticks: Fragment[] = [];
      const depth: Fragment[] = [];
      for (const token of member.pending) {
        const room = member.rooms.get(token);
        const quote = this.latest.get(token);
        if (!room || !quote) continue;
        if (room.generation !== generation) this.encode(room, quote, generation);
        ticks.push(room.fragment!);
        if (room.depthFragment) depth.push(room.depthFragment);
      }
      member.pending.clear();
      if (ticks.length === 0) continue;
      frames += writer.write(ticks, depth);
      deliveries += ticks.length;
    }
    touched.clear();

    if (frames) framesSent.inc({ kind: 'tick' }, frames);
    if (deliveries) tickDeliveries.inc(deliveries);
    const end = Date.now();
    for (const at of this.publishedAt) broadcastLatency.observe(Math.max(0, end - at) / 1000);
    this.publishedAt = [];
    if (this.backlog.size) this.schedule();
  }

  private encode(room: Room, quote: Quote, generation: number): void {
    const codec = this.options.codecs[room.protocol];
    room.fragment = codec.tick(quote, room.mode);
    room.depthFragment = codec.depth(quote, room.mode);
    room.generation = generation;
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
    return (rooms[slot] ??= new Room(slot, protocol, mode));
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
