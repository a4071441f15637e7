import type { LoggerService } from '@nestjs/common';
import { connect, type Socket } from 'net';
import { makeSessionScope, MsgTransport, SessionId, TcpDuplex, type IJsFixConfig, type MsgView } from '../../common/fix/jspurefix';
import { FIX44, fixSessionDescription, makeFixConfig, NestFixLogFactory } from '../../common/fix/fix-engine';
import { FixFileSessionStore, FixFileSessionStoreFactory } from '../../common/fix/fix-file-session-store';
import { InitiatorSession } from './fix-gateway-session';

export interface FixLinkOptions {
  host: string;
  port: number;
  senderCompId: string;
  targetCompId: string;
  heartbeatSeconds: number;
  /** Sequence numbers and resendable messages survive restarts here (<MSTOCK_DATA_DIR>/fix-initiator). */
  storeDir: string;
  /** TCP connect plus the venue's Logon reply must complete within this. */
  logonTimeoutMs?: number;
  /** Reconnect delay: doubles per failed attempt from initialMs up to maxMs, with jitter. */
  reconnect?: { initialMs?: number; maxMs?: number };
  random?: () => number;
  logger: LoggerService;
}

/** What the link reports to the gateway. */
export interface FixLinkEvents {
  loggedOn(): void;
  application(session: InitiatorSession, msgType: string, view: MsgView): void;
  rejected(session: InitiatorSession, view: MsgView): void;
  sent(seq: number, msgType: string, body: Record<string, unknown>): void;
}

/**
 * "Equal jitter": half the exponential step fixed, half random, so a fleet of replicas that lost
 * the venue together does not dial back in lockstep. failures=0 (a session that was up just
 * ended) waits initialMs/2..initialMs.
 */
export function reconnectDelay(failures: number, initialMs: number, maxMs: number, random: () => number): number {
  const step = Math.min(maxMs, initialMs * 2 ** Math.min(failures, 30));
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * The initiator's connection loop: dial, log on, run the session until it ends, wait, dial again.
 * One store for all connections, so sequence numbers continue across reconnects and restarts.
 * We own the socket (as the acceptor does, docs/fix.md work-arounds 7 and 9): jspurefix's
 * initiator cannot bound the connect time and does not hear a socket closed locally.
 */
export class FixInitiatorLink {
  readonly store: FixFileSessionStore;
  private readonly stores: FixFileSessionStoreFactory;
  private config: IJsFixConfig | null = null;
  private session: InitiatorSession | null = null;
  private socket: Socket | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private transportIds = 0;
  private logonCount = 0;

  constructor(
    private readonly options: FixLinkOptions,
    private readonly events: FixLinkEvents,
  ) {
    this.stores = new FixFileSessionStoreFactory({ directory: options.storeDir });
    this.store = this.stores.create(new SessionId(FIX44, options.senderCompId, options.targetCompId));
  }

  /** The session, when logged on and able to send. */
  get readySession(): InitiatorSession | null {
    return this.session?.isReady ? this.session : null;
  }

  /** Successful logons since start (each one fires the gateway's onConnected). */
  get logons(): number {
    return this.logonCount;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Logout if logged on (bounded wait for the venue's confirmation), then close and flush the store. */
  async stop(graceMs = 2_000): Promise<void> {
    this.running = false;
    this.wake?.();
    const session = this.session;
    if (session?.isReady) session.logout();
    // Not logged on (dialling, or waiting for the Logon reply): nothing to say goodbye to.
    const grace = setTimeout(() => this.socket?.destroy(), session?.isReady ? graceMs : 0);
    await this.loop;
    clearTimeout(grace);
    this.loop = null;
    await this.stores.flushAll();
  }

  private async run(): Promise<void> {
    const { logger, reconnect = {}, random = Math.random } = this.options;
    const initialMs = reconnect.initialMs ?? 1_000;
    const maxMs = reconnect.maxMs ?? 30_000;
    let failures = 0;
    while (this.running) {
      let loggedOn = false;
      try {
        loggedOn = await this.connectOnce();
      } catch (err) {
        // Refused, unreachable or timed out: normal while the venue is down, so one line per attempt.
        logger.warn(`FIX ${this.describe()}: ${(err as Error).message}`);
      }
      if (!this.running) return;
      failures = loggedOn ? 0 : failures + 1;
      const delay = reconnectDelay(failures, initialMs, maxMs, random);
      logger.log(`FIX ${this.describe()}: reconnecting in ${delay} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  /** One connection, start to end. True when it got as far as a completed Logon. */
  private async connectOnce(): Promise<boolean> {
    const { logger, logonTimeoutMs = 10_000 } = this.options;
    this.config ??= await this.makeConfig();
    await this.store.initialize();
    const socket = await this.dial(logonTimeoutMs);
    if (!this.running) {
      socket.destroy();
      this.socket = null;
      return false;
    }
    let loggedOn = false;
    const config = makeSessionScope(this.config);
    const session = new InitiatorSession(
      config,
      {
        ready: () => {
          loggedOn = true;
          this.logonCount++;
          logger.log(`FIX ${this.describe()}: logged on (next MsgSeqNum out ${this.store.senderSeqNum})`);
          this.events.loggedOn();
        },
        stopped: (_s, error) => logger.log(`FIX ${this.describe()}: session ended${error ? `: ${error.message}` : ''}`),
        application: (s, msgType, view) => this.events.application(s, msgType, view),
        rejected: (s, view) => this.events.rejected(s, view),
        sent: (seq, msgType, body) => this.events.sent(seq, msgType, body),
      },
      logger,
    );
    this.session = session;
    // jspurefix hears only 'end' and 'error'; a socket closed any other way would leave the session up.
    socket.once('close', () => session.requestStop('connection closed'));
    const logonTimer = setTimeout(() => {
      if (loggedOn) return;
      logger.warn(`FIX ${this.describe()}: no Logon reply within ${logonTimeoutMs} ms`);
      socket.destroy();
    }, logonTimeoutMs);
    try {
      await session.run(new MsgTransport(++this.transportIds, config, new TcpDuplex(socket)));
    } catch {
      // The session logged why it ended; the loop decides what comes next.
    } finally {
      clearTimeout(logonTimer);
      this.session = null;
      this.socket = null;
      socket.destroy();
      await this.stores.flushAll();
    }
    return loggedOn;
  }

  private dial(timeoutMs: number): Promise<Socket> {
    const { host, port } = this.options;
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      this.socket = socket; // so that stop() can abandon a dial in progress
      const fail = (err: Error): void => {
        clearTimeout(timer);
        socket.off('close', closed);
        socket.destroy();
        reject(err);
      };
      const closed = (): void => fail(new Error(`connection to ${host}:${port} closed before it was established`));
      const timer = setTimeout(() => fail(new Error(`connect to ${host}:${port} timed out after ${timeoutMs} ms`)), timeoutMs);
      socket.once('error', fail);
      socket.once('close', closed);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', fail);
        socket.off('close', closed);
        socket.on('error', () => undefined); // surfaces as the session ending ('close')
        socket.setNoDelay(true);
        socket.setKeepAlive(true, 30_000);
        resolve(socket);
      });
    });
  }

  private makeConfig(): Promise<IJsFixConfig> {
    const o = this.options;
    const description = fixSessionDescription({
      role: 'initiator',
      name: `fix-initiator-${o.senderCompId}`,
      senderCompId: o.senderCompId,
      targetCompId: o.targetCompId,
      heartbeatSeconds: o.heartbeatSeconds,
      host: o.host,
      port: o.port,
    });
    return makeFixConfig(description, this.stores, new NestFixLogFactory(o.logger));
  }

  private describe(): string {
    const o = this.options;
    return `${o.senderCompId}->${o.targetCompId} at ${o.host}:${o.port}`;
  }
}
