import type {
  CancelOrderCommand,
  EngineListener,
  InstrumentSpec,
  ModifyOrderCommand,
  OrderType,
  PlaceOrderCommand,
  RejectCode,
} from '../types';

/**
 * Deliberately naive oracle for property tests: one instrument, continuous session,
 * every order in one array, re-sorted on every step. It shares no code with the engine,
 * so agreement between the two is evidence, not tautology. Slow by design.
 */
interface RefOrder {
  id: number;
  clientId: number;
  isBuy: boolean;
  type: OrderType;
  ioc: boolean;
  price: number;
  trigger: number;
  qty: number;
  filled: number;
  visible: number;
  disclosed: number;
  time: number;
  stop: boolean;
}

export interface RefRestingOrder {
  orderId: number;
  price: number;
  qty: number;
  filled: number;
  visible: number;
}

const isPosInt = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n > 0;

export class ReferenceBook {
  private orders: RefOrder[] = [];
  private time = 0;
  private tradeId = 0;
  ltp = 0;
  volume = 0;

  constructor(
    private readonly spec: InstrumentSpec,
    private readonly out: EngineListener,
  ) {}

  apply(cmd: PlaceOrderCommand | ModifyOrderCommand | CancelOrderCommand): void {
    if (cmd.type === 'PLACE') this.place(cmd);
    else if (cmd.type === 'MODIFY') this.modify(cmd);
    else this.cancel(cmd);
  }

  /** Resting orders of one side, best first. */
  resting(isBuy: boolean): RefRestingOrder[] {
    return this.sorted(isBuy).map((o) => ({
      orderId: o.id,
      price: o.price,
      qty: o.qty,
      filled: o.filled,
      visible: o.visible,
    }));
  }

  stopIds(): number[] {
    return this.orders.filter((o) => o.stop).map((o) => o.id).sort((a, b) => a - b);
  }

  private sorted(isBuy: boolean): RefOrder[] {
    return this.orders
      .filter((o) => !o.stop && o.isBuy === isBuy)
      .sort((a, b) => (a.price !== b.price ? (isBuy ? b.price - a.price : a.price - b.price) : a.time - b.time));
  }

  private reject(id: number, reason: RejectCode, cmd: 'PLACE' | 'MODIFY' | 'CANCEL'): void {
    this.out.onRejected(id, this.spec.instrumentId, reason, cmd);
  }

  private qtyError(qty: unknown): RejectCode | null {
    if (!isPosInt(qty)) return 'INVALID_QTY';
    if (qty % this.spec.lotSize !== 0) return 'QTY_NOT_MULTIPLE_OF_LOT';
    if (qty > this.spec.freezeQty) return 'QTY_ABOVE_FREEZE';
    return null;
  }

  private priceError(p: unknown, codes: [RejectCode, RejectCode, RejectCode]): RejectCode | null {
    if (!isPosInt(p)) return codes[0];
    if (p % this.spec.tickSize !== 0) return codes[1];
    if (p < this.spec.lowerCircuit || p > this.spec.upperCircuit) return codes[2];
    return null;
  }

  private triggerError(type: OrderType, isBuy: boolean, trigger: unknown, price: number): RejectCode | null {
    const e = this.priceError(trigger, ['INVALID_TRIGGER_PRICE', 'TRIGGER_NOT_MULTIPLE_OF_TICK', 'TRIGGER_OUTSIDE_CIRCUIT']);
    if (e !== null) return e;
    if (type === 'SL' && (isBuy ? (trigger as number) > price : (trigger as number) < price)) return 'INVALID_TRIGGER_PRICE';
    return null;
  }

  private disclosedError(type: OrderType, ioc: boolean, qty: number, d: number | undefined): RejectCode | null {
    if (d === undefined || d === 0) return null;
    if (!isPosInt(d) || d > qty || d * 10 < qty || d % this.spec.lotSize !== 0) return 'DISCLOSED_QTY_INVALID';
    if (ioc || type === 'MARKET' || type === 'SL-M') return 'DISCLOSED_QTY_INVALID';
    return null;
  }

  private place(c: PlaceOrderCommand): void {
    const err = this.placeError(c);
    if (err !== null) return this.reject(c.orderId, err, 'PLACE');
    const isBuy = c.side === 'BUY';
    const priced = c.orderType === 'LIMIT' || c.orderType === 'SL';
    const o: RefOrder = {
      id: c.orderId,
      clientId: c.clientId,
      isBuy,
      type: c.orderType,
      ioc: c.validity === 'IOC',
      price: priced ? (c.price as number) : this.edge(isBuy),
      trigger: c.orderType === 'SL' || c.orderType === 'SL-M' ? (c.triggerPrice as number) : 0,
      qty: c.qty,
      filled: 0,
      visible: 0,
      disclosed: c.disclosedQty ?? 0,
      time: ++this.time,
      stop: false,
    };
    this.out.onAccepted(o.id, this.spec.instrumentId);
    if (o.trigger !== 0) this.stopOrActivate(o);
    else this.enter(o);
    this.runStops();
  }

  private placeError(c: PlaceOrderCommand): RejectCode | null {
    if (!isPosInt(c.orderId)) return 'INVALID_ORDER';
    if (this.orders.some((o) => o.id === c.orderId)) return 'DUPLICATE_ORDER_ID';
    const q = this.qtyError(c.qty);
    if (q !== null) return q;
    const isBuy = c.side === 'BUY';
    if (c.orderType === 'LIMIT' || c.orderType === 'SL') {
      const p = this.priceError(c.price, ['INVALID_PRICE', 'PRICE_NOT_MULTIPLE_OF_TICK', 'PRICE_OUTSIDE_CIRCUIT']);
      if (p !== null) return p;
    }
    if (c.orderType === 'SL' || c.orderType === 'SL-M') {
      const t = this.triggerError(c.orderType, isBuy, c.triggerPrice, c.price ?? 0);
      if (t !== null) return t;
    }
    return this.disclosedError(c.orderType, c.validity === 'IOC', c.qty, c.disclosedQty);
  }

  private edge(isBuy: boolean): number {
    return isBuy ? this.spec.upperCircuit : this.spec.lowerCircuit;
  }

  private isTriggered(o: RefOrder): boolean {
    return this.ltp !== 0 && (o.isBuy ? this.ltp >= o.trigger : this.ltp <= o.trigger);
  }

  private stopOrActivate(o: RefOrder): void {
    if (this.isTriggered(o)) return this.activate(o);
    o.stop = true;
    o.visible = o.qty - o.filled;
    if (!this.orders.includes(o)) this.orders.push(o);
  }

  private activate(o: RefOrder): void {
    this.out.onTriggered(o.id, this.spec.instrumentId, this.ltp);
    o.stop = false;
    if (o.type === 'SL-M') {
      o.type = 'MARKET';
      o.price = this.edge(o.isBuy);
    } else {
      o.type = 'LIMIT';
    }
    o.time = ++this.time;
    this.enter(o);
  }

  /** Match as aggressor, then rest, or cancel the remainder. */
  private enter(o: RefOrder): void {
    this.orders = this.orders.filter((x) => x !== o);
    let selfTrade = false;
    for (;;) {
      const left = o.qty - o.filled;
      if (left === 0) break;
      const r = this.sorted(!o.isBuy)[0];
      if (r === undefined || (o.isBuy ? r.price > o.price : r.price < o.price)) break;
      if (r.clientId === o.clientId) {
        selfTrade = true;
        break;
      }
      const q = Math.min(left, r.visible);
      o.filled += q;
      r.filled += q;
      r.visible -= q;
      this.ltp = r.price;
      this.volume += q;
      const [b, s] = o.isBuy ? [o.id, r.id] : [r.id, o.id];
      this.out.onTrade(this.spec.instrumentId, b, s, r.price, q, o.isBuy ? 'BUY' : 'SELL', ++this.tradeId);
      if (r.visible === 0) {
        if (r.filled === r.qty) this.orders = this.orders.filter((x) => x !== r);
        else {
          r.visible = Math.min(r.disclosed, r.qty - r.filled);
          r.time = ++this.time;
        }
      }
    }
    const left = o.qty - o.filled;
    if (left === 0) return;
    if (selfTrade) return this.out.onCancelled(o.id, this.spec.instrumentId, left, 'SELF_TRADE');
    if (o.ioc || o.type === 'MARKET') return this.out.onCancelled(o.id, this.spec.instrumentId, left, 'IOC_REMAINDER');
    o.visible = o.disclosed > 0 ? Math.min(o.disclosed, left) : left;
    this.orders.push(o);
  }

  private runStops(): void {
    for (;;) {
      const trig = this.orders.filter((o) => o.stop && this.isTriggered(o));
      const buy = trig.filter((o) => o.isBuy).sort((a, b) => a.trigger - b.trigger || a.time - b.time)[0];
      const sell = trig.filter((o) => !o.isBuy).sort((a, b) => b.trigger - a.trigger || a.time - b.time)[0];
      const pick = buy === undefined ? sell : sell === undefined ? buy : sell.time < buy.time ? sell : buy;
      if (pick === undefined) return;
      this.orders = this.orders.filter((x) => x !== pick);
      this.activate(pick);
    }
  }

  private cancel(c: CancelOrderCommand): void {
    const o = this.orders.find((x) => x.id === c.orderId);
    if (o === undefined) return this.reject(c.orderId, 'UNKNOWN_ORDER', 'CANCEL');
    this.orders = this.orders.filter((x) => x !== o);
    this.out.onCancelled(o.id, this.spec.instrumentId, o.qty - o.filled, 'USER');
  }

  private modify(c: ModifyOrderCommand): void {
    const o = this.orders.find((x) => x.id === c.orderId);
    if (o === undefined) return this.reject(c.orderId, 'UNKNOWN_ORDER', 'MODIFY');
    const err = this.modifyError(c, o);
    if (err !== null) return this.reject(c.orderId, err, 'MODIFY');
    const priced = o.type === 'LIMIT' || o.type === 'SL';
    const qty = c.qty ?? o.qty;
    const price = priced ? (c.price ?? o.price) : o.price;
    const trigger = o.stop ? (c.triggerPrice ?? o.trigger) : o.trigger;
    const disclosed = c.disclosedQty ?? o.disclosed;
    const kept = price === o.price && trigger === o.trigger && disclosed === o.disclosed && qty <= o.qty;
    o.qty = qty;
    this.out.onModified(o.id, this.spec.instrumentId, price, qty, trigger, kept);
    if (kept) {
      o.visible = Math.min(o.visible, qty - o.filled);
      return;
    }
    o.price = price;
    o.trigger = trigger;
    o.disclosed = disclosed;
    o.time = ++this.time;
    if (o.stop) this.stopOrActivate(o);
    else this.enter(o);
    this.runStops();
  }

  private modifyError(c: ModifyOrderCommand, o: RefOrder): RejectCode | null {
    const qty = c.qty ?? o.qty;
    const q = this.qtyError(qty);
    if (q !== null) return q;
    if (qty <= o.filled) return 'MODIFY_QTY_NOT_ABOVE_FILLED';
    const priced = o.type === 'LIMIT' || o.type === 'SL';
    if (c.price !== undefined) {
      if (!priced) {
        if (c.price !== 0 && c.price !== o.price) return 'ORDER_NOT_MODIFIABLE';
      } else {
        const p = this.priceError(c.price, ['INVALID_PRICE', 'PRICE_NOT_MULTIPLE_OF_TICK', 'PRICE_OUTSIDE_CIRCUIT']);
        if (p !== null) return p;
      }
    }
    if (o.stop) {
      const t = this.triggerError(o.type, o.isBuy, c.triggerPrice ?? o.trigger, priced ? (c.price ?? o.price) : 0);
      if (t !== null) return t;
    } else if (c.triggerPrice !== undefined && c.triggerPrice !== o.trigger) {
      return 'ORDER_NOT_MODIFIABLE';
    }
    return this.disclosedError(o.type, o.ioc, qty, c.disclosedQty ?? o.disclosed);
  }
}
