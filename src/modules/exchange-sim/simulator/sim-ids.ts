/**
 * Exchange order ids, trade ids and execution ids. The broker keeps trade ids under a unique
 * constraint, so ids must not repeat when the simulator restarts: they count up from
 * `start time in seconds × 10^6` (16 digits, like NSE order numbers). Two runs can only collide
 * if the earlier one issued more than a million ids per second of its uptime.
 */
export class SimIds {
  private readonly base: number;
  private orders = 0;
  private execs = 0;

  constructor(startedAt: number) {
    this.base = Math.floor(startedAt / 1000) * 1_000_000;
  }

  /** The engine's numeric order id: small, so journals do not depend on the clock. */
  nextOrderId(): number {
    return ++this.orders;
  }

  exchangeOrderId(exchange: string, orderId: number): string {
    return `${exchange}-${this.base + orderId}`;
  }

  /** The engine numbers trades globally; both fills of a trade carry the same id. */
  tradeId(engineTradeId: number): string {
    return String(this.base + engineTradeId);
  }

  nextExecId(): string {
    return String(this.base + ++this.execs);
  }
}
