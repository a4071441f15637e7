import type { Clock } from '../../../common/clock/clock';
import { CancelReason, type CommandType, type EngineListener, type RejectCode, type SessionState, type Side } from '../engine';
import type { CancelOrderRequest, ReplaceOrderRequest, VenueMessage } from '../venue.types';
import type { AgentOrder, LiveOrder, MemberOrder } from './member-order';
import type { QuoteBoard } from './quote-board';
import { reasonText } from './reason-text';
import type { SimIds } from './sim-ids';
import type { SimLogger } from './message-outbox';

/** Which kind of request is running through the engine right now (events are synchronous). */
export enum RequestKind {
  NONE = 0,
  PLACE = 1,
  REPLACE = 2,
  CANCEL = 3,
  AGENT = 4,
  SYSTEM = 5,
}

export interface HandlerDeps {
  live: Map<number, LiveOrder>;
  board: QuoteBoard;
  ids: SimIds;
  clock: Clock;
  send: (message: VenueMessage) => void;
  log?: SimLogger;
}

/**
 * Turns engine events into order state, market data and members' messages. The engine calls it
 * synchronously inside apply(); the simulator sets the request context around each call so an
 * event can be tied to the request that caused it (a REPLACED report carries the new ClOrdID).
 */
export class SimEventHandler implements EngineListener {
  kind = RequestKind.NONE;
  order: MemberOrder | null = null;
  agent: AgentOrder | null = null;
  request: ReplaceOrderRequest | CancelOrderRequest | null = null;
  /** Set when an instrument or session command was refused. */
  systemReject: RejectCode | null = null;
  /** Agent orders refused by the engine: should stay near zero (a test watches it). */
  agentRejects = 0;

  constructor(private readonly deps: HandlerDeps) {}

  onAccepted(orderId: number, instrumentId: number): void {
    let o: LiveOrder;
    if (this.kind === RequestKind.AGENT && this.agent !== null) {
      o = this.agent;
    } else if (this.kind === RequestKind.PLACE && this.order !== null) {
      const m = this.order;
      m.open = m.quantity;
      this.deps.send(m.report('NEW', this.deps.ids.nextExecId(), this.deps.clock.now()));
      o = m;
    } else {
      return;
    }
    this.deps.live.set(orderId, o);
    if (!o.parked) this.adjustOpen(instrumentId, o.isBuy, o.open);
  }

  onRejected(_orderId: number, instrumentId: number, reason: RejectCode, command: CommandType): void {
    const m = this.order;
    // A refused cancel or replace of an order the engine no longer knows reports instrument 0.
    const instrument = this.deps.board.get(instrumentId || (m?.request.instrumentToken ?? 0))?.instrument;
    switch (this.kind) {
      case RequestKind.AGENT:
        this.agentRejects++;
        return;
      case RequestKind.SYSTEM:
        this.systemReject = reason;
        return;
      case RequestKind.PLACE:
        if (m === null || command !== 'PLACE') return;
        m.status = 'REJECTED';
        this.deps.send(
          m.report('REJECTED', this.deps.ids.nextExecId(), this.deps.clock.now(), {
            reasonCode: reason,
            text: reasonText(reason, { instrument, instrumentToken: m.request.instrumentToken }),
          }),
        );
        return;
      case RequestKind.REPLACE:
      case RequestKind.CANCEL:
        if (m === null || this.request === null) return;
        this.deps.send({
          kind: 'cancel_reject',
          memberId: m.request.memberId,
          clOrdId: this.request.clOrdId,
          origClOrdId: this.request.origClOrdId,
          exchangeOrderId: m.exchangeOrderId,
          responseTo: this.kind === RequestKind.REPLACE ? 'REPLACE' : 'CANCEL',
          reasonCode: reason,
          text: reasonText(reason, { instrument, clOrdId: this.request.origClOrdId, filled: m.cumQuantity }),
          orderStatus: m.status,
          transactTime: this.deps.clock.now(),
        });
        return;
      default:
        this.deps.log?.warn(`engine rejected ${command} (${reason}) outside any request`);
    }
  }

  onTrade(instrumentId: number, buyOrderId: number, sellOrderId: number, price: number, qty: number, _aggressor: Side | null, tradeId: number): void {
    const q = this.deps.board.get(instrumentId);
    if (q === undefined) return;
    const now = this.deps.clock.now();
    q.recordTrade(price, qty, now);
    this.deps.board.markChanged(q);
    this.fill(instrumentId, buyOrderId, price, qty, tradeId, now);
    this.fill(instrumentId, sellOrderId, price, qty, tradeId, now);
  }

  private fill(instrumentId: number, orderId: number, price: number, qty: number, tradeId: number, now: number): void {
    const o = this.deps.live.get(orderId);
    if (o === undefined) return;
    o.open -= qty;
    if (!o.parked) this.adjustOpen(instrumentId, o.isBuy, -qty);
    if (o.open === 0) this.deps.live.delete(orderId);
    const m = o.member;
    if (m === null) return;
    m.fill(price, qty);
    const execType = m.status === 'FILLED' ? 'FILL' : 'PARTIAL_FILL';
    this.deps.send(
      m.report(execType, this.deps.ids.nextExecId(), now, { lastQuantity: qty, lastPrice: price, tradeId: this.deps.ids.tradeId(tradeId) }),
    );
  }

  onCancelled(orderId: number, instrumentId: number, qty: number, reason: CancelReason): void {
    const o = this.deps.live.get(orderId);
    if (o === undefined) return;
    this.deps.live.delete(orderId);
    if (!o.parked) this.adjustOpen(instrumentId, o.isBuy, -qty);
    o.open -= qty;
    const m = o.member;
    if (m === null) return;
    const expired = reason === CancelReason.DAY_EXPIRY;
    m.status = expired ? 'EXPIRED' : 'CANCELED';
    let origClOrdId: string | undefined;
    if (this.kind === RequestKind.CANCEL && this.order === m && this.request !== null) {
      origClOrdId = this.request.origClOrdId;
      this.moveClOrdId(m, this.request.clOrdId);
    }
    this.deps.send(
      m.report(expired ? 'EXPIRED' : 'CANCELED', this.deps.ids.nextExecId(), this.deps.clock.now(), {
        ...(origClOrdId === undefined ? {} : { origClOrdId }),
        reasonCode: reason,
        text: reasonText(reason),
      }),
    );
  }

  onModified(orderId: number, instrumentId: number, price: number, qty: number, triggerPrice: number, _keptPriority: boolean): void {
    const m = this.deps.live.get(orderId)?.member;
    if (m === undefined || m === null) return; // agents never modify
    const delta = qty - m.quantity;
    m.quantity = qty;
    m.open += delta;
    if (!m.parked) this.adjustOpen(instrumentId, m.isBuy, delta);
    if (m.price !== undefined) m.price = price;
    if (m.triggerPrice !== undefined) m.triggerPrice = triggerPrice;
    m.status = m.workingStatus();
    const request = this.kind === RequestKind.REPLACE && this.order === m ? (this.request as ReplaceOrderRequest | null) : null;
    if (request === null) return;
    if (request.disclosedQuantity !== undefined) m.disclosedQuantity = request.disclosedQuantity;
    this.moveClOrdId(m, request.clOrdId);
    this.deps.send(m.report('REPLACED', this.deps.ids.nextExecId(), this.deps.clock.now(), { origClOrdId: request.origClOrdId }));
  }

  onTriggered(orderId: number, instrumentId: number, _ltp: number): void {
    const o = this.deps.live.get(orderId);
    if (o === undefined) return;
    if (o.parked) {
      o.parked = false;
      this.adjustOpen(instrumentId, o.isBuy, o.open);
    }
    const m = o.member;
    if (m !== null) this.deps.send(m.report('TRIGGERED', this.deps.ids.nextExecId(), this.deps.clock.now()));
  }

  onAuction(_instrumentId: number, _price: number, _qty: number): void {
    // The auction's trades arrive through onTrade at the equilibrium price: the first is the open.
  }

  onSessionChanged(_state: SessionState): void {}

  onDepthChanged(instrumentId: number): void {
    const q = this.deps.board.get(instrumentId);
    if (q !== undefined) this.deps.board.markChanged(q);
  }

  private adjustOpen(instrumentId: number, isBuy: boolean, delta: number): void {
    const q = this.deps.board.get(instrumentId);
    if (q === undefined) return;
    q.addOpenQuantity(isBuy, delta);
    this.deps.board.markChanged(q);
  }

  private moveClOrdId(m: MemberOrder, clOrdId: string): void {
    m.clOrdId = clOrdId;
    m.book.register(clOrdId, m);
  }
}
