import type { CancelOrderRequest, ExecutionReport, NewOrderRequest, ReplaceOrderRequest, VenueMessage } from '../../common/exchange-protocol/venue.types';

/** What the broker sends: the venue's requests without the member id (the gateway's session is the member). */
export type OutboundOrder = Omit<NewOrderRequest, 'memberId'>;
export type OutboundReplace = Omit<ReplaceOrderRequest, 'memberId'>;
export type OutboundCancel = Omit<CancelOrderRequest, 'memberId'>;

/**
 * The broker's port to an exchange. Adapters: the in-process simulator (embedded default) and a
 * FIX 4.4 initiator. Requests are fire-and-forget; everything the exchange says comes back
 * through onMessage, in order.
 */
export interface ExchangeGateway {
  readonly name: string;
  /** Link up and circuit breaker closed (or half-open and ready for a probe). */
  isAvailable(): boolean;
  submit(order: OutboundOrder): Promise<void>;
  replace(request: OutboundReplace): Promise<void>;
  cancel(request: OutboundCancel): Promise<void>;
  /** Asks the exchange for an order's state; the answer arrives as an ORDER_STATUS report (or null now when known to be unknown). */
  requestStatus(clOrdId: string): Promise<ExecutionReport | null | 'requested'>;
  onMessage(listener: (message: VenueMessage) => void | Promise<void>): void;
  /** Called when the link (re)connects: the orders module reconciles then. */
  onConnected(listener: () => void): void;
}

export const EXCHANGE_GATEWAY = Symbol('ExchangeGateway');

export class ExchangeUnavailableError extends Error {}
