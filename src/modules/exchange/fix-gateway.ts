import { Logger, type LoggerService } from '@nestjs/common';
import type { ExecutionReport, VenueMessage } from '../../common/exchange-protocol/venue.types';
import { MsgTag, type MsgView } from '../../common/fix/jspurefix';
import { BreakerOpenError, CircuitBreaker } from './circuit-breaker';
import { ExchangeGateway, ExchangeUnavailableError, OutboundCancel, OutboundOrder, OutboundReplace } from './exchange-gateway';
import { OrderFactsCache } from './fix-gateway-facts';
import { FixRequestTracker } from './fix-gateway-tracker';
import { FixInitiatorLink, type FixLinkOptions } from './fix-gateway-link';
import { parseCancelReject, parseExecutionReport, Tag, type FixFields, type Outcome } from './fix-gateway-inbound';
import {
  cancelReplaceRequest,
  cancelRequest,
  FixMsgType,
  newOrderSingle,
  orderStatusRequest,
  sessionReject,
  UNKNOWN_ORDER_FACTS,
  unsupportedMessage,
  type FixRequest,
} from './fix-gateway-outbound';
import type { InitiatorSession } from './fix-gateway-session';

export interface FixGatewayOptions extends Omit<FixLinkOptions, 'logger'> {
  /** No answer to a D/F/G within this long counts as a circuit-breaker failure (default 5 s). */
  answerTimeoutMs?: number;
  logger?: LoggerService;
  now?: () => number;
}

/**
 * The broker's FIX 4.4 initiator: the ExchangeGateway port over a FIX session to a venue (the
 * simulator's acceptor, or an exchange). Requests go out as D/G/F/H; ExecutionReports and
 * OrderCancelRejects come back as venue messages, in arrival order. The link reconnects by itself
 * and keeps sequence numbers; after every Logon, onConnected listeners run (the orders module
 * then asks about every order in doubt, which also covers reports a broken recovery lost).
 */
export class FixGateway implements ExchangeGateway {
  readonly name: string;
  private readonly logger: LoggerService;
  private readonly link: FixInitiatorLink;
  private readonly facts = new OrderFactsCache();
  private readonly tracker: FixRequestTracker;
  private readonly listeners: ((m: VenueMessage) => void | Promise<void>)[] = [];
  private readonly connectedListeners: (() => void)[] = [];
  private readonly now: () => number;
  private started: Promise<void> | null = null;

  constructor(
    private readonly options: FixGatewayOptions,
    private readonly breaker: CircuitBreaker,
  ) {
    this.name = `FIX 4.4 initiator ${options.senderCompId}->${options.targetCompId} at ${options.host}:${options.port}`;
    this.logger = options.logger ?? new Logger(FixGateway.name);
    this.now = options.now ?? Date.now;
    this.tracker = new FixRequestTracker(options.answerTimeoutMs ?? 5_000);
    this.link = new FixInitiatorLink(
      { ...options, logger: this.logger },
      {
        loggedOn: () => this.onLoggedOn(),
        application: (session, msgType, view) => this.onApplication(session, msgType, view),
        rejected: (session, view) => this.onRejected(session, view),
        sent: (seq, msgType, body) => this.tracker.sent(seq, msgType, body),
      },
    );
  }

  /** Starts connecting (in the background; isAvailable() turns true once logged on). */
  start(): void {
    this.started ??= this.link.store
      .initialize()
      .then(() => {
        // Orders placed before a restart: cancels and status requests about them need their Side and Instrument.
        for (const r of this.link.store.range(1, Number.MAX_SAFE_INTEGER)) if (r.body) this.facts.learnFromSent(r.msgType, r.body);
        this.link.start();
      })
      .catch((err: Error) => this.logger.error(`FIX initiator cannot read its store: ${err.message}`));
  }

  async stop(): Promise<void> {
    await this.started;
    await this.link.stop();
    this.tracker.clear();
  }

  isAvailable(): boolean {
    return this.link.readySession !== null && this.breaker.allows();
  }

  /** For operations and tests: the session's state and where its sequence numbers stand. */
  get linkState(): { loggedOn: boolean; logons: number; nextOutgoingSeqNum: number; nextIncomingSeqNum: number; breaker: string } {
    const store = this.link.store;
    return { loggedOn: this.link.readySession !== null, logons: this.link.logons, nextOutgoingSeqNum: store.senderSeqNum, nextIncomingSeqNum: store.targetSeqNum, breaker: this.breaker.state };
  }

  async submit(order: OutboundOrder): Promise<void> {
    this.facts.rememberOrder(order);
    return this.request(order.clOrdId, newOrderSingle(order, this.now()));
  }

  async replace(request: OutboundReplace): Promise<void> {
    const facts = this.factsFor(request.clOrdId, request.origClOrdId, request.quantity);
    return this.request(request.clOrdId, cancelReplaceRequest(request, facts, this.now()));
  }

  async cancel(request: OutboundCancel): Promise<void> {
    const facts = this.factsFor(request.clOrdId, request.origClOrdId);
    return this.request(request.clOrdId, cancelRequest(request, facts, this.now()));
  }

  /**
   * Read-only, so not held back by an open breaker: reconciliation right after a Logon must be able
   * to ask. The answer arrives as an ExecutionReport with ExecType I (execType ORDER_STATUS).
   */
  async requestStatus(clOrdId: string): Promise<ExecutionReport | null | 'requested'> {
    const session = this.requireSession();
    const { msgType, body } = orderStatusRequest(clOrdId, this.facts.of(clOrdId) ?? this.unknownFacts(clOrdId));
    if (!session.sendApp(msgType, body)) {
      this.breaker.recordFailure();
      throw new ExchangeUnavailableError(`could not send OrderStatusRequest ${clOrdId}: the FIX session went down`);
    }
    return 'requested';
  }

  onMessage(listener: (message: VenueMessage) => void | Promise<void>): void {
    this.listeners.push(listener);
  }

  onConnected(listener: () => void): void {
    this.connectedListeners.push(listener);
  }

  /**
   * Sent when this resolves. The breaker sees the whole round trip: the call succeeds when the
   * venue answers the ClOrdID and fails when the send fails or no answer comes in time, so a venue
   * that takes orders but never acks them opens it. The order itself is never re-sent under a new
   * ClOrdID; its fate is settled by the venue's reports or by reconciliation.
   */
  private request(clOrdId: string, { msgType, body }: FixRequest): Promise<void> {
    const session = this.requireSession();
    if (!this.breaker.allows()) throw new ExchangeUnavailableError('exchange link circuit breaker is open');
    return new Promise<void>((sent, notSent) => {
      this.breaker
        .run(async () => {
          const answered = this.tracker.expect(clOrdId);
          if (!session.sendApp(msgType, body)) {
            this.tracker.answered(clOrdId);
            const err = new ExchangeUnavailableError(`could not send ${msgType} ${clOrdId}: the FIX session went down`);
            notSent(err);
            throw err;
          }
          sent();
          await answered;
        })
        .catch((err: Error) => {
          if (err instanceof BreakerOpenError) notSent(new ExchangeUnavailableError('exchange link circuit breaker is open'));
          else if (!(err instanceof ExchangeUnavailableError)) this.logger.warn(`FIX ${msgType} ${clOrdId}: ${err.message}`);
        });
    });
  }

  private requireSession(): InitiatorSession {
    const session = this.link.readySession;
    if (!session) throw new ExchangeUnavailableError(`${this.name} is not logged on`);
    return session;
  }

  private factsFor(clOrdId: string, origClOrdId: string, quantity?: number) {
    return this.facts.derive(clOrdId, origClOrdId, quantity) ?? this.unknownFacts(origClOrdId);
  }

  private unknownFacts(clOrdId: string) {
    this.logger.warn(`FIX: no record of order ${clOrdId} (placed before a restart, beyond the store's retention); sending Side=BUY, Symbol [N/A]`);
    return UNKNOWN_ORDER_FACTS;
  }

  private onLoggedOn(): void {
    for (const listener of this.connectedListeners) {
      try {
        listener();
      } catch (err) {
        this.logger.error(`onConnected listener failed: ${(err as Error).message}`);
      }
    }
  }

  private onApplication(session: InitiatorSession, msgType: string, view: MsgView): void {
    const seq = Number(view.getTyped(MsgTag.MsgSeqNum));
    const get: FixFields = (tag) => view.getString(tag) ?? undefined;
    const memberId = this.options.senderCompId;
    let parsed: Outcome<VenueMessage>;
    switch (msgType) {
      case FixMsgType.ExecutionReport:
        parsed = parseExecutionReport(get, memberId, this.facts.of(get(Tag.ClOrdID) ?? ''), this.now());
        break;
      case FixMsgType.OrderCancelReject:
        parsed = parseCancelReject(get, memberId, this.now());
        break;
      case FixMsgType.BusinessMessageReject:
        return this.onBusinessReject(get);
      default: {
        const reply = unsupportedMessage(seq, msgType);
        return session.sendAdmin(reply.msgType, reply.body);
      }
    }
    if (!parsed.ok) {
      // Not applied: the order's state is recovered by reconciliation (status request) instead.
      const { tag, reason, text } = parsed.problem;
      this.logger.error(`FIX ${msgType} seq ${seq} refused: ${text}`);
      const reply = sessionReject(seq, msgType, tag, reason, text);
      return session.sendAdmin(reply.msgType, reply.body);
    }
    const message = parsed.value;
    if (message.kind === 'execution') this.facts.learn(message);
    this.tracker.answered(message.clOrdId);
    this.deliver(message);
  }

  /** Reject (3): the venue did not process our message at all; the request it names is refused. */
  private onRejected(_session: InitiatorSession, view: MsgView): void {
    const get: FixFields = (tag) => view.getString(tag) ?? undefined;
    this.refused(Number(get(Tag.RefSeqNum)), 'SESSION_REJECT', get(Tag.Text) ?? 'rejected by the venue at the session level');
  }

  /** BusinessMessageReject (j), e.g. the venue not accepting orders yet: the request was not processed. */
  private onBusinessReject(get: FixFields): void {
    this.refused(Number(get(Tag.RefSeqNum)), 'BUSINESS_REJECT', get(Tag.Text) ?? `business reject ${get(Tag.BusinessRejectReason) ?? ''}`);
  }

  private refused(refSeqNum: number, reasonCode: string, text: string): void {
    const request = this.tracker.bySeq(refSeqNum);
    if (!request) {
      this.logger.warn(`FIX venue refused our message ${refSeqNum}: ${text}`);
      return;
    }
    this.logger.warn(`FIX venue refused ${request.msgType} ${request.clOrdId}: ${text}`);
    this.tracker.answered(request.clOrdId);
    const message = this.tracker.refusal(request, { reasonCode, text, facts: this.facts.of(request.clOrdId), memberId: this.options.senderCompId, now: this.now() });
    if (message) this.deliver(message);
  }

  /**
   * In arrival order, PossDup resends included: a resent fill carries the same trade id and the
   * broker's handler applies a trade id once. A listener's failure is logged, never the session's.
   */
  private deliver(message: VenueMessage): void {
    for (const listener of this.listeners) {
      try {
        Promise.resolve(listener(message)).catch((err: Error) => this.logger.error(`FIX message listener failed: ${err.message}`));
      } catch (err) {
        this.logger.error(`FIX message listener failed: ${(err as Error).message}`);
      }
    }
  }
}
