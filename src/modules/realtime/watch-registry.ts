import { Injectable, Logger } from '@nestjs/common';
import { RedisAdapter } from '@socket.io/redis-adapter';
import { randomUUID } from 'node:crypto';
import type { AppServer } from './gateway/socket-types';

/** Each replica restates the users it holds connections for this often (and drops peers silent for three times as long). */
const STATE_MS = 30_000;
const PEER_EXPIRY_MS = 3 * STATE_MS;
/** After a failed sync (a peer did not answer in the adapter's request timeout), the next try. */
const RESYNC_MS = 5_000;

interface Peer {
  users: Set<string>;
  seenAt: number;
}

/**
 * Which users hold a live connection (socket.io or Kite ticker) on another replica, so that an
 * order update crosses to the other replicas only when someone there can receive it. Most updates
 * have no one watching (API traders; the states an order passes through on its way to the
 * exchange), and serialising and publishing each one to every replica cost a tenth of a replica's
 * CPU at peak order flow.
 *
 * Never loses an update, by two rules. A replica that is not sure what its peers hold (at start,
 * when its Redis subscription drops, until every peer has answered its hello) treats every user as
 * watched. And a user's first connection on a replica is not connected until every peer has
 * acknowledged the announcement, so any update committed after the client sees "connected" is
 * sent across. Mistakes the other way (a peer thought to watch a user it no longer does) only
 * cost a message, and the periodic restatement corrects them.
 *
 * All messages travel on the adapter's one request channel from each replica's one publishing
 * connection, so a peer's messages arrive in the order it sent them.
 */
@Injectable()
export class WatchRegistry {
  private readonly logger = new Logger(WatchRegistry.name);
  private readonly id = randomUUID();
  /** This replica's users: connections open or being opened. */
  private readonly local = new Map<string, number>();
  private readonly announcing = new Map<string, Promise<void>>();
  private readonly peers = new Map<string, Peer>();
  private server: AppServer | null = null;
  private sure = false;
  private timer: NodeJS.Timeout | null = null;
  private resyncTimer: NodeJS.Timeout | null = null;

  /** Joins the other replicas through the Redis adapter (not called in embedded mode: one process has no peers). */
  attach(server: AppServer): void {
    this.server = server;
    server.on('watch:hello', (from, ack) => {
      this.peer(from);
      ack({ from: this.id, users: this.held() });
    });
    server.on('watch:add', (from, userId, ack) => {
      this.peer(from).users.add(userId);
      ack();
    });
    server.on('watch:remove', (from, userId) => this.peers.get(from)?.users.delete(userId));
    server.on('watch:state', (from, users) => this.peers.set(from, { users: new Set(users), seenAt: Date.now() }));
    server.on('watch:bye', (from) => this.peers.delete(from));
    const adapter = server.of('/').adapter;
    if (adapter instanceof RedisAdapter) {
      // Messages sent while the subscription was down are lost: unsure until peers answer again.
      adapter.subClient.on('close', () => (this.sure = false));
      adapter.subClient.on('ready', () => this.sync());
    }
    this.timer = setInterval(() => this.restate(), STATE_MS).unref();
    this.sync();
  }

  detach(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.resyncTimer) clearTimeout(this.resyncTimer);
    this.server?.serverSideEmit('watch:bye', this.id);
    this.server = null;
  }

  /** Whether an update of this user's orders must be sent to the other replicas. */
  watchedElsewhere(userId: string): boolean {
    if (!this.sure) return true;
    for (const peer of this.peers.values()) if (peer.users.has(userId)) return true;
    return false;
  }

  /** Every peer's holdings are known (tests). */
  get synced(): boolean {
    return this.sure;
  }

  /**
   * A connection of the user is being opened here: resolves once every peer knows (or the adapter
   * gave up waiting for one), with the release to call when that connection ends (any number of times).
   */
  async acquire(userId: string): Promise<() => void> {
    const count = this.local.get(userId) ?? 0;
    this.local.set(userId, count + 1);
    let announced = this.announcing.get(userId);
    if (count === 0 && this.server) {
      announced = this.announce(this.server, userId).finally(() => this.announcing.delete(userId));
      this.announcing.set(userId, announced);
    }
    await announced;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release(userId);
    };
  }

  private release(userId: string): void {
    const count = (this.local.get(userId) ?? 1) - 1;
    if (count > 0) return void this.local.set(userId, count);
    this.local.delete(userId);
    this.server?.serverSideEmit('watch:remove', this.id, userId);
  }

  private async announce(server: AppServer, userId: string): Promise<void> {
    try {
      await server.serverSideEmitWithAck('watch:add', this.id, userId);
    } catch (err) {
      // A peer that does not answer within the adapter's timeout still reads the announcement, in order, when it recovers.
      this.logger.warn(`not every replica acknowledged a connection of user ${userId}: ${(err as Error).message}`);
    }
  }

  /** Asks every peer what it holds. Until all have answered, every update is sent across. */
  private sync(): void {
    const server = this.server;
    if (!server) return;
    this.sure = false;
    if (this.resyncTimer) clearTimeout(this.resyncTimer);
    this.resyncTimer = null;
    const adapter = server.of('/').adapter;
    // A PING behind the adapter's SUBSCRIBE on the same connection: our own subscription is live, so the peer count is right.
    const subscribed = adapter instanceof RedisAdapter ? (adapter.subClient.ping() as Promise<unknown>) : Promise.resolve();
    subscribed
      .then(() => server.serverSideEmitWithAck('watch:hello', this.id))
      .then((answers) => {
        if (this.server !== server) return;
        // Union, not replacement: a peer's later add or remove may have arrived before all answers were in.
        for (const { from, users } of answers) for (const userId of users) this.peer(from).users.add(userId);
        this.sure = true;
      })
      .catch((err: Error) => {
        this.logger.warn(`replica sync failed, sending every order update across until it succeeds: ${err.message}`);
        if (this.server === server) this.resyncTimer = setTimeout(() => this.sync(), RESYNC_MS).unref();
      });
  }

  private restate(): void {
    this.server?.serverSideEmit('watch:state', this.id, this.held());
    const expired = Date.now() - PEER_EXPIRY_MS;
    for (const [id, peer] of this.peers) if (peer.seenAt < expired) this.peers.delete(id);
  }

  /** The users this replica holds connections of; none once it has said goodbye (shutting down, it may still be asked). */
  private held(): string[] {
    return this.server ? [...this.local.keys()] : [];
  }

  private peer(id: string): Peer {
    let peer = this.peers.get(id);
    if (!peer) this.peers.set(id, (peer = { users: new Set(), seenAt: Date.now() }));
    peer.seenAt = Date.now();
    return peer;
  }
}
