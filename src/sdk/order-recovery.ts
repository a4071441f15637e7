import type { OrderUpdate } from './protocol';

/** What makes two sightings of an order different (Kite's order JSON has no version field). */
const fingerprint = (o: OrderUpdate) =>
  [o.status, o.filled_quantity, o.pending_quantity, o.cancelled_quantity, o.average_price, o.quantity, o.price, o.trigger_price, o.exchange_update_timestamp].join('|');

const byId = (a: OrderUpdate, b: OrderUpdate) => {
  const x = BigInt(a.order_id);
  const y = BigInt(b.order_id);
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * Remembers the last state seen of each order (from pushes and from REST), so that after a
 * reconnect the orders listed by GET /api/v1/orders can be compared: new ones (ids past the last
 * seen) and changed ones are the updates that were missed while disconnected.
 */
export class OrderRecovery {
  private readonly seen = new Map<string, string>();
  private lastSeenId: bigint | null = null;

  /** Records a pushed update; false when it carries nothing new (e.g. already recovered by REST). */
  observe(order: OrderUpdate): boolean {
    const fp = fingerprint(order);
    if (this.seen.get(order.order_id) === fp) return false;
    this.seen.set(order.order_id, fp);
    const id = BigInt(order.order_id);
    if (this.lastSeenId === null || id > this.lastSeenId) this.lastSeenId = id;
    return true;
  }

  /** Takes the REST list as the baseline without reporting anything (first connect). */
  baseline(orders: readonly OrderUpdate[]): void {
    for (const o of orders) this.observe(o);
  }

  /** The missed updates in the REST list, oldest order first; records them as seen. */
  missed(orders: readonly OrderUpdate[]): OrderUpdate[] {
    return [...orders].sort(byId).filter((o) => this.observe(o));
  }

  get lastOrderId(): string | null {
    return this.lastSeenId === null ? null : this.lastSeenId.toString();
  }
}
