import type { ExecutionReport, VenueOrderType, VenueSide, VenueValidity } from '../../common/exchange-protocol/venue.types';
import { FIX_ORD_TYPE, FIX_SIDE, FIX_TIME_IN_FORCE, fromFixCode } from '../../common/fix/fix-codes';
import type { OutboundOrder } from './exchange-gateway';

/** What FIX 4.4 wants repeated on every request about an order (Side, Instrument, OrdType, OrderQty). */
export interface OrderFacts {
  instrumentToken: number;
  side: VenueSide;
  orderType: VenueOrderType;
  validity: VenueValidity;
  quantity: number;
}

const DEFAULT_CAPACITY = 100_000;

/**
 * The port's cancel, replace and status requests carry only ClOrdIDs, but the FIX 4.4 dictionary
 * requires Side and Instrument on F/G/H (and OrdType on G, OrderQty on F/G); a strict venue
 * rejects a request without them. So the gateway remembers, per ClOrdID, what it sent and what
 * the venue reported, and seeds this at start from the session store's retained message bodies
 * (orders placed before a restart). Bounded: the oldest entries go first (a DAY order cannot
 * outlive the session, and the store's own retention bounds the seed anyway).
 */
export class OrderFactsCache {
  private readonly byClOrdId = new Map<string, OrderFacts>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  of(clOrdId: string): OrderFacts | undefined {
    return this.byClOrdId.get(clOrdId);
  }

  get size(): number {
    return this.byClOrdId.size;
  }

  remember(clOrdId: string, facts: OrderFacts): void {
    this.byClOrdId.delete(clOrdId); // re-inserted as the newest
    this.byClOrdId.set(clOrdId, facts);
    while (this.byClOrdId.size > this.capacity) {
      const oldest = this.byClOrdId.keys().next().value as string;
      this.byClOrdId.delete(oldest);
    }
  }

  rememberOrder(order: OutboundOrder): void {
    const { instrumentToken, side, orderType, validity, quantity } = order;
    this.remember(order.clOrdId, { instrumentToken, side, orderType, validity, quantity });
  }

  /** A cancel or replace names the same order under a new ClOrdID; a replace may change the quantity. */
  derive(clOrdId: string, origClOrdId: string, quantity?: number): OrderFacts | undefined {
    const orig = this.of(origClOrdId) ?? this.of(clOrdId);
    if (!orig) return undefined;
    const facts = quantity === undefined ? orig : { ...orig, quantity };
    this.remember(clOrdId, facts);
    return facts;
  }

  /** Every report carries the order as the venue knows it now (e.g. the quantity after a replace). */
  learn(report: ExecutionReport): void {
    if (report.instrumentToken <= 0) return; // an Order Status for an order the venue does not know
    const { instrumentToken, side, orderType, validity, quantity } = report;
    this.remember(report.clOrdId, { instrumentToken, side, orderType, validity, quantity });
  }

  /** Seeds from a stored outbound body (D, G or F as we encoded it); anything else is ignored. */
  learnFromSent(msgType: string, body: Record<string, unknown>): void {
    const clOrdId = typeof body.ClOrdID === 'string' ? body.ClOrdID : undefined;
    if (!clOrdId || !['D', 'G', 'F'].includes(msgType)) return;
    const orig = typeof body.OrigClOrdID === 'string' ? this.of(body.OrigClOrdID) : undefined;
    const instrument = body.Instrument as { SecurityID?: unknown } | undefined;
    const qty = (body.OrderQtyData as { OrderQty?: unknown } | undefined)?.OrderQty;
    const token = Number(instrument?.SecurityID);
    const side = fromFixCode(FIX_SIDE, body.Side as string | undefined) ?? orig?.side;
    const orderType = fromFixCode(FIX_ORD_TYPE, body.OrdType as string | undefined) ?? orig?.orderType;
    const validity = fromFixCode(FIX_TIME_IN_FORCE, (body.TimeInForce as string | undefined) ?? '0') ?? 'DAY';
    const quantity = typeof qty === 'number' && qty > 0 ? qty : orig?.quantity;
    if (!Number.isSafeInteger(token) || token <= 0 || !side || !orderType || quantity === undefined) return;
    this.remember(clOrdId, { instrumentToken: token, side, orderType, validity: orig?.validity ?? validity, quantity });
  }
}
