import { parseCancelReject, parseExecutionReport, splitReason, type FixFields } from './fix-gateway-inbound';

const fields =
  (o: Record<number, string>): FixFields =>
  (tag) =>
    o[tag];
const NOW = Date.UTC(2026, 10, 26, 4, 30);

/** A fill as the simulator's acceptor writes it (docs/fix.md). */
const fill: Record<number, string> = {
  37: 'NSE-0000000000000042', 17: 'E9', 11: 'B1', 150: 'F', 39: '1', 48: '1001', 22: '8', 55: 'ACME', 54: '1', 38: '10', 40: '2',
  44: '1150.05', 59: '0', 32: '4', 31: '1150.05', 151: '6', 14: '4', 6: '1150.03', 527: 'T77', 60: '20261126-04:30:00.123',
};

describe('FIX inbound → venue messages', () => {
  it('maps a Trade report with OrdStatus 1 to PARTIAL_FILL, prices to exact paise, the trade id from SecondaryExecID', () => {
    expect(parseExecutionReport(fields(fill), 'MSTOCK', undefined, NOW)).toEqual({
      ok: true,
      value: {
        kind: 'execution', memberId: 'MSTOCK', clOrdId: 'B1', exchangeOrderId: 'NSE-0000000000000042', execId: 'E9',
        execType: 'PARTIAL_FILL', orderStatus: 'PARTIALLY_FILLED', instrumentToken: 1001, side: 'BUY', orderType: 'LIMIT', validity: 'DAY',
        quantity: 10, cumQuantity: 4, leavesQuantity: 6, averagePrice: 115_003, price: 115_005, lastQuantity: 4, lastPrice: 115_005,
        tradeId: 'T77', transactTime: Date.UTC(2026, 10, 26, 4, 30, 0, 123),
      },
    });
  });

  it('maps a Trade report with OrdStatus 2 to FILL; without SecondaryExecID the ExecID stands in as trade id', () => {
    const { 527: _, ...noTradeId } = fill;
    const parsed = parseExecutionReport(fields({ ...noTradeId, 39: '2', 151: '0', 14: '10' }), 'MSTOCK', undefined, NOW);
    expect(parsed).toMatchObject({ ok: true, value: { execType: 'FILL', orderStatus: 'FILLED', tradeId: 'E9' } });
  });

  it.each([
    ['0', '0', 'NEW'],
    ['4', '4', 'CANCELED'],
    ['5', '0', 'REPLACED'],
    ['8', '8', 'REJECTED'],
    ['L', '0', 'TRIGGERED'],
    ['C', 'C', 'EXPIRED'],
    ['I', '1', 'ORDER_STATUS'],
  ])('maps ExecType %s (OrdStatus %s) to %s', (execType, ordStatus, expected) => {
    const { 32: _q, 31: _p, 527: _t, ...rest } = fill;
    expect(parseExecutionReport(fields({ ...rest, 150: execType, 39: ordStatus }), 'MSTOCK', undefined, NOW)).toMatchObject({ ok: true, value: { execType: expected } });
  });

  it('splits the venue code off Text into reasonCode, keeping the sentence as text', () => {
    const rejected = { ...fill, 150: '8', 39: '8', 103: '99', 58: 'PRICE_OUTSIDE_CIRCUIT: Price is outside the circuit band 1050.00–1260.00' };
    expect(parseExecutionReport(fields(rejected), 'MSTOCK', undefined, NOW)).toMatchObject({
      ok: true,
      value: { execType: 'REJECTED', reasonCode: 'PRICE_OUTSIDE_CIRCUIT', text: 'Price is outside the circuit band 1050.00–1260.00' },
    });
    expect(splitReason('Unknown order')).toEqual({ text: 'Unknown order' });
    expect(splitReason(undefined)).toEqual({});
  });

  it('reads a reject with OrdRejReason 6 and no code in Text as a duplicate ClOrdID (a venue other than ours)', () => {
    const duplicate = { ...fill, 150: '8', 39: '8', 103: '6', 58: 'Duplicate order' };
    expect(parseExecutionReport(fields(duplicate), 'MSTOCK', undefined, NOW)).toMatchObject({
      ok: true,
      value: { execType: 'REJECTED', reasonCode: 'DUPLICATE_CLORDID', text: 'Duplicate order' },
    });
    const other = { ...duplicate, 103: '99' };
    expect(parseExecutionReport(fields(other), 'MSTOCK', undefined, NOW)).not.toMatchObject({ value: { reasonCode: expect.anything() } });
    const duplicateCancel = { 37: 'NSE-1', 11: 'B.3', 41: 'B.2', 39: '0', 434: '1', 102: '6' };
    expect(parseCancelReject(fields(duplicateCancel), 'MSTOCK', NOW)).toMatchObject({ ok: true, value: { reasonCode: 'DUPLICATE_CLORDID' } });
  });

  it('reads an Order Status for an order the venue does not know, filling the gaps from what we sent', () => {
    const unknown = { 37: 'NONE', 11: 'X', 17: '0', 150: 'I', 39: '8', 103: '5', 48: '1001', 22: '8', 55: '[N/A]', 54: '2', 151: '0', 14: '0', 6: '0.00', 58: 'Unknown order' };
    const facts = { instrumentToken: 1001, side: 'SELL' as const, orderType: 'SL' as const, validity: 'IOC' as const, quantity: 7 };
    expect(parseExecutionReport(fields(unknown), 'MSTOCK', facts, NOW)).toMatchObject({
      ok: true,
      value: { execType: 'ORDER_STATUS', orderStatus: 'REJECTED', reasonCode: 'UNKNOWN_ORDER', text: 'Unknown order', side: 'SELL', orderType: 'SL', quantity: 7, averagePrice: 0, transactTime: NOW },
    });
  });

  it.each([
    [{ 6: '1150.001' }, 6, 5],
    [{ 31: '11S0' }, 31, 6],
    [{ 150: 'Z' }, 150, 5],
    [{ 39: '6' }, 39, 5],
    [{ 60: 'yesterday' }, 60, 6],
    [{ 14: '' }, 14, 1],
  ])('refuses %p (Reject tag %p, reason %p) instead of guessing', (change, tag, reason) => {
    expect(parseExecutionReport(fields({ ...fill, ...change }), 'MSTOCK', undefined, NOW)).toMatchObject({ ok: false, problem: { tag, reason } });
  });

  it('maps OrderCancelReject: responseTo, the code from Text or CxlRejReason, and no status for an unknown order', () => {
    const unknown = { 37: 'NONE', 11: 'X.2', 41: 'X', 39: '8', 434: '1', 102: '1', 58: 'UNKNOWN_ORDER: No open order with ClOrdID X', 60: '20261126-04:30:00.000' };
    expect(parseCancelReject(fields(unknown), 'MSTOCK', NOW)).toEqual({
      ok: true,
      value: {
        kind: 'cancel_reject', memberId: 'MSTOCK', clOrdId: 'X.2', origClOrdId: 'X', responseTo: 'CANCEL', reasonCode: 'UNKNOWN_ORDER',
        text: 'No open order with ClOrdID X', transactTime: Date.UTC(2026, 10, 26, 4, 30),
      },
    });
    const tooLate = { 37: 'NSE-1', 11: 'B.3', 41: 'B.2', 39: '2', 434: '2', 102: '0' };
    expect(parseCancelReject(fields(tooLate), 'MSTOCK', NOW)).toMatchObject({
      ok: true,
      value: { responseTo: 'REPLACE', reasonCode: 'TOO_LATE', exchangeOrderId: 'NSE-1', orderStatus: 'FILLED', text: '', transactTime: NOW },
    });
  });
});
