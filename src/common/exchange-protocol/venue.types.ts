/**
 * The exchange's outside surface, protocol-neutral: the simulator implements it, the FIX 4.4
 * acceptor and the broker's in-process gateway speak it; the binary feed publishes QuoteSnapshots.
 * Prices are integer paise, quantities integers, times epoch milliseconds.
 */

export type VenueSide = 'BUY' | 'SELL';
export type VenueOrderType = 'LIMIT' | 'MARKET' | 'SL' | 'SL-M';
export type VenueValidity = 'DAY' | 'IOC';

export interface NewOrderRequest {
  /** The trading member's session (FIX SenderCompID; 'MSTOCK' for the in-process gateway). */
  memberId: string;
  /** The member's id for this order, unique per member (FIX ClOrdID). */
  clOrdId: string;
  /** The member's end client (account); self-trade prevention acts per member + client. */
  clientAccount: string;
  instrumentToken: number;
  side: VenueSide;
  orderType: VenueOrderType;
  validity: VenueValidity;
  quantity: number;
  price?: number;
  triggerPrice?: number;
  disclosedQuantity?: number;
}

/** FIX OrderCancelReplaceRequest. Absent fields keep their value; quantity is the new total. */
export interface ReplaceOrderRequest {
  memberId: string;
  clOrdId: string;
  origClOrdId: string;
  quantity?: number;
  price?: number;
  triggerPrice?: number;
  disclosedQuantity?: number;
}

export interface CancelOrderRequest {
  memberId: string;
  clOrdId: string;
  origClOrdId: string;
}

export type ExecType = 'NEW' | 'PARTIAL_FILL' | 'FILL' | 'CANCELED' | 'REPLACED' | 'REJECTED' | 'TRIGGERED' | 'EXPIRED' | 'ORDER_STATUS';
export type VenueOrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'REJECTED' | 'EXPIRED';

export interface ExecutionReport {
  kind: 'execution';
  memberId: string;
  clOrdId: string;
  /** Set on REPLACED and CANCELED: the ClOrdID the request referred to. */
  origClOrdId?: string;
  /** The venue's order id, stable across replaces (FIX OrderID). */
  exchangeOrderId: string;
  /** Unique per report (FIX ExecID). */
  execId: string;
  execType: ExecType;
  orderStatus: VenueOrderStatus;
  instrumentToken: number;
  side: VenueSide;
  orderType: VenueOrderType;
  validity: VenueValidity;
  quantity: number;
  cumQuantity: number;
  leavesQuantity: number;
  /** Volume-weighted average fill price in paise (rounded half-even), 0 before any fill. */
  averagePrice: number;
  price?: number;
  triggerPrice?: number;
  /** Fill reports only. */
  lastQuantity?: number;
  lastPrice?: number;
  /** Fill reports only: unique exchange trade id (the broker deduplicates trades on it). */
  tradeId?: string;
  /** REJECTED and CANCELED: machine code (engine RejectCode / CancelReason) and a sentence. */
  reasonCode?: string;
  text?: string;
  transactTime: number;
}

/** FIX OrderCancelReject: a cancel or replace that could not be done; the order is unchanged. */
export interface CancelReject {
  kind: 'cancel_reject';
  memberId: string;
  clOrdId: string;
  origClOrdId: string;
  exchangeOrderId?: string;
  responseTo: 'CANCEL' | 'REPLACE';
  /** UNKNOWN_ORDER | TOO_LATE (already closed) | engine RejectCode. */
  reasonCode: string;
  text: string;
  orderStatus?: VenueOrderStatus;
  transactTime: number;
}

export type VenueMessage = ExecutionReport | CancelReject;

/**
 * The reject of a request whose ClOrdID the member used before (FIX OrdRejReason / CxlRejReason 6):
 * it refers to no order of the member's; the request that first used the ClOrdID stands.
 */
export const DUPLICATE_CLORDID = 'DUPLICATE_CLORDID';

export interface Venue {
  /** Results arrive asynchronously through onMessage (as from a real exchange). */
  submit(request: NewOrderRequest): void;
  replace(request: ReplaceOrderRequest): void;
  cancel(request: CancelOrderRequest): void;
  /** FIX OrderStatusRequest: the order's current state as an ORDER_STATUS report, or null if unknown. */
  status(memberId: string, clOrdId: string): ExecutionReport | null;
  /** Messages for one member, in order. Returns an unsubscribe function. */
  onMessage(memberId: string, listener: (message: VenueMessage) => void): () => void;
  /** False while the venue cannot take orders (e.g. not started). */
  readonly ready: boolean;
}

export interface DepthLevel {
  price: number;
  quantity: number;
  orders: number;
}

/** What the binary feed publishes per instrument (Kite's "full" quote, in paise). */
export interface QuoteSnapshot {
  instrumentToken: number;
  /** Exchange time of this snapshot. */
  timestamp: number;
  lastTradeTime: number;
  lastPrice: number;
  lastQuantity: number;
  volume: number;
  averagePrice: number;
  open: number;
  high: number;
  low: number;
  /** Previous close. */
  close: number;
  lowerCircuit: number;
  upperCircuit: number;
  totalBuyQuantity: number;
  totalSellQuantity: number;
  /** Best first; always 5 entries (empty levels are zeros). */
  bids: DepthLevel[];
  asks: DepthLevel[];
}

export interface MarketDataSource {
  /** Batches of changed instruments, flushed on an interval (about every 100 ms). */
  onQuotes(listener: (batch: QuoteSnapshot[]) => void): () => void;
  snapshot(instrumentToken: number): QuoteSnapshot | undefined;
  snapshots(): QuoteSnapshot[];
}

export const VENUE = Symbol('Venue');
export const MARKET_DATA_SOURCE = Symbol('MarketDataSource');
