import { Logger, type LoggerService } from '@nestjs/common';
import { createServer, type AddressInfo, type Server, type Socket } from 'net';
import { makeSessionScope, MemorySessionStoreFactory, MsgTransport, SessionId, SessionRegistry, TcpDuplex, type IJsFixConfig } from '../../../common/fix/jspurefix';
import { FIX44, fixSessionDescription, makeFixConfig, NestFixLogFactory } from '../../../common/fix/fix-engine';
import { FixFileSessionStoreFactory, storedSessionTargets } from '../../../common/fix/fix-file-session-store';
import type { Venue } from '../venue.types';
import { venueMessageToFix } from './fix-execution-reports';
import { peekLogon } from './logon-peek';
import { MemberChannel } from './member-channel';
import { SymbolBook, VenueFixSession } from './venue-fix-session';

export interface FixAcceptorOptions {
  /** 0 picks a free port; start() returns the one bound. */
  port: number;
  /** Defaults to loopback; a containerised venue passes 0.0.0.0. */
  host?: string;
  /** Our SenderCompID; members address it as TargetCompID. */
  compId: string;
  /** Sequence numbers and resendable messages, per member, survive restarts here. */
  storeDir: string;
  /** Used when a member's Logon asks for HeartBtInt=0; otherwise the member's own value rules. */
  heartbeatSeconds?: number;
  /** When set, only these SenderCompIDs may log on. */
  allowedMembers?: string[];
  /** Symbol(55) for reports; without it, the symbol members sent with their orders. */
  symbolOf?: (instrumentToken: number) => string | undefined;
  logger?: LoggerService;
  /** Sent messages kept per member for ResendRequest. */
  maxStoredMessages?: number;
  /** A connection has this long to send its Logon. */
  logonTimeoutMs?: number;
}

/**
 * The simulator's FIX 4.4 order-entry gateway: members (initiators, SenderCompID = memberId) send
 * D/F/G/H, the Venue's reports come back as ExecutionReport / OrderCancelReject. jspurefix runs
 * the session layer; we own the listening socket, the store and the member streams (docs/fix.md).
 */
export class FixAcceptor {
  readonly name = 'FIX acceptor';
  private server: Server | null = null;
  private running = false;
  private config: IJsFixConfig | null = null;
  private readonly logger: LoggerService;
  private readonly stores: FixFileSessionStoreFactory;
  private readonly symbols: SymbolBook;
  private readonly channels = new Map<string, Promise<MemberChannel>>();
  private readonly unsubscribes: Array<() => void> = [];
  private readonly sockets = new Set<Socket>();
  /** Connected, Logon not yet read: nothing to log out at shutdown. */
  private readonly unidentified = new Set<Socket>();
  private readonly sessions = new Map<VenueFixSession, Promise<void>>();
  private transportIds = 0;

  constructor(
    private readonly venue: Venue,
    private readonly options: FixAcceptorOptions,
  ) {
    this.logger = options.logger ?? new Logger(FixAcceptor.name);
    this.stores = new FixFileSessionStoreFactory({ directory: options.storeDir, maxMessages: options.maxStoredMessages });
    this.symbols = new SymbolBook(options.symbolOf);
  }

  async start(): Promise<number> {
    if (this.running) throw new Error('FixAcceptor already started');
    this.running = true;
    try {
      return await this.listen();
    } catch (err) {
      this.running = false;
      this.unsubscribes.splice(0).forEach((unsubscribe) => unsubscribe());
      this.channels.clear();
      throw err;
    }
  }

  private async listen(): Promise<number> {
    const { compId, storeDir, host = '127.0.0.1', port } = this.options;
    const description = fixSessionDescription({
      role: 'acceptor',
      name: `fix-acceptor-${compId}`,
      senderCompId: compId,
      targetCompId: 'MEMBER', // replaced per connection by the member's SenderCompID
      heartbeatSeconds: this.heartbeatSeconds,
      host,
      port,
    });
    const logFactory = new NestFixLogFactory(this.logger);
    const config = await makeFixConfig(description, this.stores, logFactory);
    config.sessionRegistry = new SessionRegistry(logFactory); // one live session per member
    this.config = config;
    // Members known from before a restart (and the allowed list) are followed at once: the venue
    // may report on their orders (fills, expiry) before they reconnect.
    const known = await storedSessionTargets(storeDir, FIX44, compId);
    const members = [...new Set([...known, ...(this.options.allowedMembers ?? [])])].filter((m) => this.allowed(m));
    await Promise.all(members.map((m) => this.channel(m)));

    const server = createServer((socket) => this.onSocket(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.logger.error(`FIX listener: ${err.message}`));
    this.server = server;
    const bound = (server.address() as AddressInfo).port;
    this.logger.log(`FIX acceptor ${compId} listening on ${host}:${bound}`);
    return bound;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    this.running = false;
    this.unsubscribes.splice(0).forEach((unsubscribe) => unsubscribe());
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    this.unidentified.forEach((socket) => socket.destroy());
    for (const session of this.sessions.keys()) session.logoutNow('venue shutting down');
    await Promise.allSettled([...this.sessions.values()]);
    // A peer that does not close its end after our Logout must not hold the shutdown.
    const grace = setTimeout(() => this.sockets.forEach((s) => s.destroy()), 1000);
    await closed;
    clearTimeout(grace);
    await this.stores.flushAll();
    this.channels.clear();
  }

  /** Members with a logged-on session right now. */
  onlineMembers(): string[] {
    return [...this.sessions.keys()].filter((s) => s.isReady).map((s) => s.peerCompId);
  }

  private get heartbeatSeconds(): number {
    return this.options.heartbeatSeconds ?? 30;
  }

  private allowed(memberId: string): boolean {
    return !this.options.allowedMembers || this.options.allowedMembers.includes(memberId);
  }

  /** The member's durable stream, created once: store loaded before the venue subscription. */
  private channel(memberId: string): Promise<MemberChannel> {
    let channel = this.channels.get(memberId);
    if (!channel) {
      channel = (async () => {
        const store = this.stores.create(new SessionId(FIX44, this.options.compId, memberId));
        await store.initialize();
        if (!this.running) throw new Error('FIX acceptor is stopping');
        const created = new MemberChannel(memberId, store);
        const symbolOf = (token: number): string => this.symbols.of(token);
        this.unsubscribes.push(this.venue.onMessage(memberId, (m) => created.deliver(venueMessageToFix(m, symbolOf))));
        return created;
      })();
      this.channels.set(memberId, channel);
    }
    return channel;
  }

  private onSocket(socket: Socket): void {
    this.sockets.add(socket);
    this.unidentified.add(socket);
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.unidentified.delete(socket);
    });
    // Before jspurefix owns the socket, a reset must not surface as an unhandled 'error'.
    socket.on('error', (err) => this.logger.warn(`FIX connection ${socket.remoteAddress}: ${err.message}`));
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    peekLogon(socket, this.options.logonTimeoutMs ?? 10_000)
      .then(({ senderCompId }) => this.openSession(socket, senderCompId))
      .catch((err: Error) => {
        this.logger.warn(`FIX connection from ${socket.remoteAddress} dropped: ${err.message}`);
        socket.destroy();
      });
  }

  private async openSession(socket: Socket, memberId: string): Promise<void> {
    const allowed = this.allowed(memberId);
    const channel = allowed ? await this.channel(memberId) : null;
    if (!this.running || !this.config || socket.destroyed) {
      socket.destroy();
      return;
    }
    const config = makeSessionScope(this.config, { TargetCompID: memberId });
    // A refused member gets its Logout from a throwaway store, leaving no files behind.
    if (!channel) config.sessionStoreFactory = new MemorySessionStoreFactory();
    this.unidentified.delete(socket);
    const transport = new MsgTransport(++this.transportIds, config, new TcpDuplex(socket));
    const session = new VenueFixSession(config, {
      venue: this.venue,
      acceptorCompId: this.options.compId,
      channel,
      refusal: allowed ? undefined : `'${memberId}' is not a member of this venue`,
      defaultHeartbeatSeconds: this.heartbeatSeconds,
      symbols: this.symbols,
      logger: this.logger,
    });
    channel?.attach(session);
    // jspurefix hears only 'end' and 'error'; a socket closed any other way would leave the session up.
    socket.once('close', () => session.requestStop('connection closed'));
    const run = session
      .run(transport)
      .then(() => undefined)
      .catch(() => undefined) // the session logged why it ended
      .finally(() => {
        this.sessions.delete(session);
        channel?.detach(session);
      });
    this.sessions.set(session, run);
  }
}
