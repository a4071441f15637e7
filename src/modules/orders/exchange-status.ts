import type { ExecutionReport } from '../../common/exchange-protocol/venue.types';
import type { ExchangeGateway } from '../exchange/exchange-gateway';
import { clOrdIdFor, Order, pendingQuantity } from './order';

/**
 * Asks the exchange about an order (OrderStatusRequest) under its current ClOrdID. Answers the
 * report to apply: the exchange's ORDER_STATUS, or — when the exchange says now that it does not
 * know the order — the "unknown order" report a FIX venue would send; null when the answer will
 * arrive later as a report of its own (FIX).
 */
export async function askExchange(gateway: ExchangeGateway, order: Order): Promise<ExecutionReport | null> {
  const clOrdId = clOrdIdFor(order.id, order.version);
  const answer = await gateway.requestStatus(clOrdId);
  if (answer === 'requested') return null;
  return answer ? { ...answer, clOrdId, execType: 'ORDER_STATUS' } : unknownReport(order, clOrdId);
}

/** What a FIX venue answers for an order it does not know (ExecType I, OrdStatus Rejected), built locally. */
function unknownReport(o: Order, clOrdId: string): ExecutionReport {
  return {
    kind: 'execution',
    memberId: '',
    clOrdId,
    exchangeOrderId: o.exchangeOrderId ?? '',
    execId: `reconcile-${o.id}-${o.version}`,
    execType: 'ORDER_STATUS',
    orderStatus: 'REJECTED',
    instrumentToken: o.instrumentToken,
    side: o.transactionType,
    orderType: o.orderType,
    validity: o.validity,
    quantity: o.quantity,
    cumQuantity: o.filledQuantity,
    leavesQuantity: pendingQuantity(o),
    averagePrice: o.averagePrice,
    reasonCode: 'UNKNOWN_ORDER',
    text: 'Unknown order',
    transactTime: Date.now(),
  };
}
