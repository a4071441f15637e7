import type { ExecType, ExecutionReport, NewOrderRequest, VenueOrderStatus } from '../venue.types';
import { divideHalfEven } from './arithmetic';

/**
 * What the simulator tracks of every live engine order, members' and agents' alike: enough to
 * keep the total buy / sell quantity of the book exact from the engine's events alone.
 */
export interface LiveOrder {
  readonly isBuy: boolean;
  /** Open (unfilled, uncancelled) quantity. */
  open: number;
  /** An untriggered stop order: outside the visible book, so outside the totals. */
  parked: boolean;
  /** Null for synthetic-liquidity orders, whose events are reported to no one. */
  readonly member: MemberOrder | null;
}

/** A synthetic-liquidity order: counted in the market data, invisible to members. */
export class AgentOrder implements LiveOrder {
  open: number;
  parked = false;
  readonly member = null;

  constructor(
    readonly isBuy: boolean,
    quantity: number,
  ) {
    this.open = quantity;
  }
}

const CLOSED: ReadonlySet<VenueOrderStatus> = new Set(['FILLED', 'CANCELED', 'REJECTED', 'EXPIRED']);

/** A member's order as the venue reports it (FIX order state), keyed by every ClOrdID it has had. */
export class MemberOrder implements LiveOrder {
  readonly isBuy: boolean;
  readonly member = this;
  open = 0;
  parked: boolean;
  /** Current ClOrdID: a replace or cancel moves it on, as in FIX. */
  clOrdId: string;
  status: VenueOrderStatus = 'NEW';
  quantity: number;
  cumQuantity = 0;
  /** Σ price × quantity of its fills (paise), for the average price. */
  notional = 0;
  price: number | undefined;
  triggerPrice: number | undefined;
  disclosedQuantity: number | undefined;

  /** The order as entered, in a copy of one fixed shape (see the constructor). */
  readonly request: NewOrderRequest;

  constructor(
    /** The engine's numeric order id. */
    readonly orderId: number,
    readonly exchangeOrderId: string,
    request: NewOrderRequest,
    readonly book: MemberBook,
  ) {
    // The caller's object may have a hidden class of its own (a spread or a rest from a decoded FIX
    // message can get one per object), and a resting order keeps this all day: at 100k resting
    // orders that was 49 MB of hidden classes in the app's heap, and longer garbage collections.
    this.request = {
      memberId: request.memberId,
      clOrdId: request.clOrdId,
      clientAccount: request.clientAccount,
      instrumentToken: request.instrumentToken,
      side: request.side,
      orderType: request.orderType,
      validity: request.validity,
      quantity: request.quantity,
      price: request.price,
      triggerPrice: request.triggerPrice,
      disclosedQuantity: request.disclosedQuantity,
    };
    this.isBuy = request.side === 'BUY';
    this.parked = request.orderType === 'SL' || request.orderType === 'SL-M';
    this.clOrdId = request.clOrdId;
    this.quantity = request.quantity;
    this.price = request.orderType === 'LIMIT' || request.orderType === 'SL' ? request.price : undefined;
    this.triggerPrice = this.parked ? request.triggerPrice : undefined;
    this.disclosedQuantity = request.disclosedQuantity;
  }

  get closed(): boolean {
    return CLOSED.has(this.status);
  }

  get leavesQuantity(): number {
    return this.closed ? 0 : this.quantity - this.cumQuantity;
  }

  get averagePrice(): number {
    return divideHalfEven(this.notional, this.cumQuantity);
  }

  fill(price: number, quantity: number): void {
    this.cumQuantity += quantity;
    this.notional += price * quantity;
    this.status = this.cumQuantity === this.quantity ? 'FILLED' : 'PARTIALLY_FILLED';
  }

  /** Status while the order is still working (after a replace or trigger). */
  workingStatus(): VenueOrderStatus {
    return this.cumQuantity > 0 ? 'PARTIALLY_FILLED' : 'NEW';
  }

  report(execType: ExecType, execId: string, transactTime: number, extra: Partial<ExecutionReport> = {}): ExecutionReport {
    const r = this.request;
    return {
      kind: 'execution',
      memberId: r.memberId,
      clOrdId: this.clOrdId,
      exchangeOrderId: this.exchangeOrderId,
      execId,
      execType,
      orderStatus: this.status,
      instrumentToken: r.instrumentToken,
      side: r.side,
      orderType: r.orderType,
      validity: r.validity,
      quantity: this.quantity,
      cumQuantity: this.cumQuantity,
      leavesQuantity: this.leavesQuantity,
      averagePrice: this.averagePrice,
      ...(this.price === undefined ? {} : { price: this.price }),
      ...(this.triggerPrice === undefined ? {} : { triggerPrice: this.triggerPrice }),
      transactTime,
      ...extra,
    };
  }
}

/** One member's orders of the trading day, under every ClOrdID each has had (FIX lets either be used). */
export class MemberBook {
  private readonly byClOrdId = new Map<string, MemberOrder>();

  constructor(readonly memberId: string) {}

  find(clOrdId: string): MemberOrder | undefined {
    return this.byClOrdId.get(clOrdId);
  }

  has(clOrdId: string): boolean {
    return this.byClOrdId.has(clOrdId);
  }

  register(clOrdId: string, order: MemberOrder): void {
    this.byClOrdId.set(clOrdId, order);
  }

  /** ClOrdIDs are unique per trading day; closed orders are forgotten when a new day starts. */
  forgetClosed(): void {
    for (const [clOrdId, order] of this.byClOrdId) if (order.closed) this.byClOrdId.delete(clOrdId);
  }
}
