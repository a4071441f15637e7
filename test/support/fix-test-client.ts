import { connect, type Socket } from 'net';
import { EmptyLogFactory, makeSessionScope, MsgTag, MsgTransport, TcpDuplex, type IJsFixConfig, type ILooseObject, type MsgView } from '../../src/common/fix/jspurefix';
import { fixSessionDescription, makeFixConfig } from '../../src/common/fix/fix-engine';
import { FixFileSessionStoreFactory } from '../../src/common/fix/fix-file-session-store';
import { RecoveringFixSession, type UnsentMessage } from '../../src/common/fix/recovering-fix-session';
import { fixUtcTimestamp } from '../../src/common/fix/fix-values';

export interface FixTestClientOptions {
  port: number;
  host?: string;
  senderCompId: string;
  targetCompId: string;
  /** The client's own session store: sequence numbers survive drop() / connect(). */
  storeDir: string;
  heartbeatSeconds?: number;
}

/** A message as it crossed the wire, in either direction. */
export interface WireMessage {
  direction: 'in' | 'out';
  msgType: string;
  seq: number;
  possDup: boolean;
  /** Raw field text by tag (first occurrence), e.g. get(44) === '2500.05'. */
  get(tag: number): string | undefined;
  body: ILooseObject;
}

/**
 * A FIX 4.4 initiator for tests (and the broker's FIX adapter tests): jspurefix's AsciiSession
 * with the same recovery layer and durable store as the simulator's acceptor. It records every
 * message in and out, and can drop its connection abruptly or forge a sequence gap.
 */
export class FixTestClient {
  readonly wire: WireMessage[] = [];
  private config: IJsFixConfig | null = null;
  private readonly stores: FixFileSessionStoreFactory;
  private session: ClientSession | null = null;
  private socket: Socket | null = null;
  private running: Promise<void> = Promise.resolve();
  private waiters: Array<() => void> = [];

  constructor(readonly options: FixTestClientOptions) {
    this.stores = new FixFileSessionStoreFactory({ directory: options.storeDir });
  }

  /** Connects and logs on; rejects with the Logout text if the acceptor refuses. */
  async connect(port = this.options.port, timeoutMs = 10_000): Promise<void> {
    this.config ??= await makeFixConfig(
      fixSessionDescription({
        role: 'initiator',
        name: `test-${this.options.senderCompId}`,
        senderCompId: this.options.senderCompId,
        targetCompId: this.options.targetCompId,
        heartbeatSeconds: this.options.heartbeatSeconds ?? 5,
        host: this.options.host,
        port,
      }),
      this.stores,
      new EmptyLogFactory(),
    );
    const socket = connect({ host: this.options.host ?? '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.on('error', () => undefined); // surfaced through the session ending
    const config = makeSessionScope(this.config);
    const session = new ClientSession(config, this);
    const from = this.wire.length;
    this.socket = socket;
    this.session = session;
    const transport = new MsgTransport(1, config, new TcpDuplex(socket));
    const ready = new Promise<void>((resolve, reject) => {
      session.readyHook = resolve;
      session.stoppedHook = (error) => reject(new Error(this.logoutText(from) ?? error?.message ?? 'session ended before logon'));
    });
    this.running = session.run(transport).then(
      () => undefined,
      () => undefined,
    );
    await withTimeout(ready, timeoutMs, 'logon');
  }

  get connected(): boolean {
    return this.session?.isReady ?? false;
  }

  /** Sends an application message; the body is kept for resends like the acceptor's. */
  send(msgType: string, body: ILooseObject): void {
    if (!this.session?.sendApp(msgType, body)) throw new Error(`not logged on; cannot send ${msgType}`);
  }

  /** Sends a session-level message as is (e.g. TestRequest). */
  sendAdmin(msgType: string, body: ILooseObject): void {
    this.session?.sendRaw(msgType, body);
  }

  newOrder(fields: ILooseObject): void {
    this.send('D', { TransactTime: fixUtcTimestamp(Date.now()), ...fields });
  }

  /** Skips outgoing sequence numbers so the acceptor sees a gap on the next message. */
  skipOutgoingSeqNums(count: number): void {
    this.session?.skip(count);
  }

  /** Graceful: Logout, wait for the acceptor's Logout, close. */
  async disconnect(): Promise<void> {
    this.session?.done();
    await withTimeout(this.running, 10_000, 'logout');
    await this.stores.flushAll();
  }

  /** Abrupt: the TCP connection vanishes without a Logout. */
  async drop(): Promise<void> {
    this.socket?.destroy();
    // A locally destroyed socket emits neither 'end' nor 'error', which is all jspurefix listens to.
    this.session?.requestStop('connection dropped');
    await withTimeout(this.running, 10_000, 'drop');
    await this.stores.flushAll();
  }

  messages(filter: Partial<Pick<WireMessage, 'direction' | 'msgType'>> & { clOrdId?: string } = {}): WireMessage[] {
    return this.wire.filter(
      (m) =>
        (filter.direction === undefined || m.direction === filter.direction) &&
        (filter.msgType === undefined || m.msgType === filter.msgType) &&
        (filter.clOrdId === undefined || m.get(11) === filter.clOrdId),
    );
  }

  /** Resolves with the first message (from index `from` on) that matches. */
  async waitFor(match: (m: WireMessage) => boolean, timeoutMs = 5_000, from = 0): Promise<WireMessage> {
    const found = (): WireMessage | undefined => this.wire.slice(from).find(match);
    return withTimeout(
      new Promise<WireMessage>((resolve) => {
        const check = (): void => {
          const m = found();
          if (m) resolve(m);
          else this.waiters.push(check);
        };
        check();
      }),
      timeoutMs,
      'expected FIX message',
    );
  }

  /** Waits for `count` incoming application messages for a ClOrdID. */
  async reports(clOrdId: string, count: number, timeoutMs = 5_000): Promise<WireMessage[]> {
    const of = (): WireMessage[] => this.messages({ direction: 'in', clOrdId }).filter((m) => m.msgType === '8' || m.msgType === '9');
    await this.waitFor(() => of().length >= count, timeoutMs);
    return of();
  }

  record(direction: WireMessage['direction'], msgType: string, view: MsgView | null, header: ILooseObject | null, encoded = ''): void {
    // Outgoing messages are known by their encoded text ('|'-delimited in jspurefix's log form).
    const fields = new Map<number, string>();
    for (const field of encoded.split(/[|\x01]/)) {
      const eq = field.indexOf('=');
      if (eq > 0 && !fields.has(Number(field.slice(0, eq)))) fields.set(Number(field.slice(0, eq)), field.slice(eq + 1));
    }
    const get = (tag: number): string | undefined => (view ? (view.getString(tag) ?? undefined) : fields.get(tag));
    this.wire.push({
      direction,
      msgType,
      seq: Number(view ? view.getTyped(MsgTag.MsgSeqNum) : header?.MsgSeqNum),
      possDup: get(43) === 'Y',
      get,
      body: view ? (view.toObject() as ILooseObject) : (header ?? {}),
    });
    this.waiters.splice(0).forEach((check) => check());
  }

  private logoutText(from: number): string | undefined {
    return this.wire.slice(from).find((m) => m.direction === 'in' && m.msgType === '5')?.get(58);
  }
}

class ClientSession extends RecoveringFixSession {
  readyHook: (() => void) | null = null;
  stoppedHook: ((error?: Error) => void) | null = null;

  constructor(
    config: IJsFixConfig,
    private readonly client: FixTestClient,
  ) {
    super(config);
  }

  sendRaw(msgType: string, body: ILooseObject): void {
    this.send(msgType, body);
  }

  skip(count: number): void {
    const transmitter = this.transport?.transmitter as unknown as { msgSeqNum: number };
    transmitter.msgSeqNum += count;
  }

  protected override rxOnMsg(msgType: string, view: MsgView): void {
    this.client.record('in', msgType, view.clone(), null);
    super.rxOnMsg(msgType, view);
  }

  protected override txOnEncoded(msgType: string, data: string, header: ILooseObject): void {
    this.client.record('out', msgType, null, header, data);
    super.txOnEncoded(msgType, data, header);
  }

  protected onLogon(): boolean {
    return true;
  }

  protected onSessionReady(): void {
    this.readyHook?.();
  }

  protected onSessionStopped(error?: Error): void {
    this.stoppedHook?.(error);
  }

  protected onUnsent(messages: UnsentMessage[]): void {
    // A test that sends into a dropping connection sees it as a missing report.
    void messages;
  }

  protected onApplicationMsg(): void {
    // Recorded in rxOnMsg with everything else.
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
