import type { Clock } from '../../../common/clock/clock';
import type { Command } from '../engine';
import { LIQUIDITY_MEMBER } from '../liquidity/liquidity-port';
import type {
  CancelOrderRequest,
  CancelReject,
  ExecutionReport,
  NewOrderRequest,
  ReplaceOrderRequest,
  VenueMessage,
} from '../venue.types';
import { MemberBook, MemberOrder } from './member-order';
import type { InstrumentQuote, QuoteBoard } from './quote-board';
import { reasonText, VenueReason, type ReasonCode } from './reason-text';
import { RequestKind } from './sim-event-handler';
import type { SimIds } from './sim-ids';

export interface Refusal {
  code: ReasonCode;
  text?: string;
}

export interface OrderEntryDeps {
  board: QuoteBoard;
  ids: SimIds;
  clock: Clock;
  send(message: VenueMessage): void;
  /** Runs one engine command with the request context set (see SimEventHandler). */
  run(kind: RequestKind, cmd: Command, order: MemberOrder, request?: ReplaceOrderRequest | CancelOrderRequest): void;
  /** Creates the instrument's engine book if needed; false when it cannot trade. */
  list(quote: InstrumentQuote): boolean;
  clientIdOf(memberId: string, clientAccount: string): number;
  /** Why no order may be entered, changed or cancelled right now (not started, pre-open matching), or null. */
  refusal(): Refusal | null;
}

/**
 * The members' side of the venue: ClOrdID bookkeeping (per member, every ClOrdID an order has had),
 * the checks an exchange gateway makes before the matching engine sees a request, and the
 * rejections it answers itself. Everything the engine accepts is reported by SimEventHandler.
 */
export class OrderEntry {
  private readonly members = new Map<string, MemberBook>();

  constructor(private readonly deps: OrderEntryDeps) {}

  submit(request: NewOrderRequest): void {
    const { board, ids } = this.deps;
    const book = this.memberBook(request.memberId);
    if (book.has(request.clOrdId)) {
      // The original keeps the ClOrdID; this answer refers to no order of ours.
      return this.rejectNew(new MemberOrder(0, 'NONE', request, book), { code: VenueReason.DUPLICATE_CLORDID });
    }
    const quote = board.get(request.instrumentToken);
    const orderId = ids.nextOrderId();
    const order = new MemberOrder(orderId, ids.exchangeOrderId(quote?.instrument.exchange ?? 'NSE', orderId), request, book);
    // Registered even when refused, so a status request can tell the member it was rejected.
    book.register(request.clOrdId, order);
    const refusal = this.deps.refusal();
    if (refusal !== null) return this.rejectNew(order, refusal);
    if (request.memberId === LIQUIDITY_MEMBER || request.clOrdId === '') return this.rejectNew(order, { code: 'INVALID_ORDER' });
    if (quote === undefined || !this.deps.list(quote)) return this.rejectNew(order, { code: 'UNKNOWN_INSTRUMENT' });
    const cmd: Command = {
      type: 'PLACE',
      orderId,
      instrumentId: request.instrumentToken,
      clientId: this.deps.clientIdOf(request.memberId, request.clientAccount),
      side: request.side,
      orderType: request.orderType,
      validity: request.validity,
      qty: request.quantity,
      price: request.price,
      triggerPrice: request.triggerPrice,
      disclosedQty: request.disclosedQuantity,
    };
    this.deps.run(RequestKind.PLACE, cmd, order);
  }

  replace(request: ReplaceOrderRequest): void {
    this.amend(RequestKind.REPLACE, request, (o) => ({
      type: 'MODIFY',
      orderId: o.orderId,
      qty: request.quantity,
      price: request.price,
      triggerPrice: request.triggerPrice,
      disclosedQty: request.disclosedQuantity,
    }));
  }

  cancel(request: CancelOrderRequest): void {
    this.amend(RequestKind.CANCEL, request, (o) => ({ type: 'CANCEL', orderId: o.orderId }));
  }

  status(memberId: string, clOrdId: string): ExecutionReport | null {
    const order = this.members.get(memberId)?.find(clOrdId);
    return order === undefined ? null : order.report('ORDER_STATUS', this.deps.ids.nextExecId(), this.deps.clock.now());
  }

  /** A new trading day: ClOrdIDs of closed orders may be used again. */
  forgetClosed(): void {
    for (const book of this.members.values()) book.forgetClosed();
  }

  private amend(
    kind: RequestKind.REPLACE | RequestKind.CANCEL,
    request: ReplaceOrderRequest | CancelOrderRequest,
    command: (o: MemberOrder) => Command,
  ): void {
    const responseTo = kind === RequestKind.REPLACE ? 'REPLACE' : 'CANCEL';
    const book = this.members.get(request.memberId);
    const order = book?.find(request.origClOrdId);
    if (book === undefined || order === undefined) {
      return this.cancelReject(request, responseTo, { code: VenueReason.UNKNOWN_ORDER });
    }
    const refuse = (code: ReasonCode, text = reasonText(code, { clOrdId: request.origClOrdId })) =>
      this.cancelReject(request, responseTo, { code, text }, order);
    if (book.has(request.clOrdId)) {
      return refuse(VenueReason.DUPLICATE_CLORDID, reasonText(VenueReason.DUPLICATE_CLORDID, { clOrdId: request.clOrdId }));
    }
    if (order.closed) return refuse(VenueReason.TOO_LATE);
    const refusal = this.deps.refusal();
    if (refusal !== null) return refuse(refusal.code, refusal.text);
    this.deps.run(kind, command(order), order, request);
  }

  private rejectNew(order: MemberOrder, refusal: Refusal): void {
    order.status = 'REJECTED';
    const r = order.request;
    const instrument = this.deps.board.get(r.instrumentToken)?.instrument;
    const text = refusal.text ?? reasonText(refusal.code, { instrument, instrumentToken: r.instrumentToken, clOrdId: r.clOrdId });
    this.deps.send(order.report('REJECTED', this.deps.ids.nextExecId(), this.deps.clock.now(), { reasonCode: refusal.code, text }));
  }

  private cancelReject(
    request: ReplaceOrderRequest | CancelOrderRequest,
    responseTo: CancelReject['responseTo'],
    refusal: Refusal,
    order?: MemberOrder,
  ): void {
    this.deps.send({
      kind: 'cancel_reject',
      memberId: request.memberId,
      clOrdId: request.clOrdId,
      origClOrdId: request.origClOrdId,
      ...(order === undefined ? {} : { exchangeOrderId: order.exchangeOrderId, orderStatus: order.status }),
      responseTo,
      reasonCode: refusal.code,
      text: refusal.text ?? reasonText(refusal.code, { clOrdId: request.origClOrdId }),
      transactTime: this.deps.clock.now(),
    });
  }

  private memberBook(memberId: string): MemberBook {
    let book = this.members.get(memberId);
    if (book === undefined) this.members.set(memberId, (book = new MemberBook(memberId)));
    return book;
  }
}
