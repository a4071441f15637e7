import { parseCancel, parseNewOrder, parseReplace, type FixFields } from './fix-order-requests';

const fields =
  (o: Record<number, string>): FixFields =>
  (tag) =>
    o[tag];
const order = { 11: 'c1', 54: '1', 40: '2', 44: '2500.05', 38: '10', 48: '2885', 22: '8', 55: 'RELIANCE' };

describe('FIX order requests → Venue requests', () => {
  it('maps a limit order with the instrument token, client account and disclosed quantity', () => {
    expect(parseNewOrder(fields({ ...order, 1: 'CL9', 111: '5', 59: '3' }), 'M1')).toEqual({
      ok: true,
      value: {
        instrumentToken: 2885,
        symbol: 'RELIANCE',
        request: {
          memberId: 'M1',
          clOrdId: 'c1',
          clientAccount: 'CL9',
          instrumentToken: 2885,
          side: 'BUY',
          orderType: 'LIMIT',
          validity: 'IOC',
          quantity: 10,
          price: 250005,
          triggerPrice: undefined,
          disclosedQuantity: 5,
        },
      },
    });
  });

  it.each([
    ['1', 'MARKET', undefined, undefined],
    ['3', 'SL-M', undefined, 249000],
    ['4', 'SL', 250005, 249000],
  ])('maps OrdType %s to %s with the prices it needs', (ordType, orderType, price, triggerPrice) => {
    const parsed = parseNewOrder(fields({ ...order, 40: ordType, 99: '2490', 54: '2' }), 'M1');
    expect(parsed.ok && parsed.value.request).toMatchObject({ orderType, price, triggerPrice, side: 'SELL', validity: 'DAY', clientAccount: 'M1' });
  });

  it.each([
    [{ 40: '4', 99: undefined }, 99, 1],
    [{ 40: '2', 44: undefined }, 44, 1],
    [{ 48: undefined }, 48, 1],
    [{ 48: 'RELIANCE' }, 48, 6],
    [{ 22: '4' }, 22, 5],
    [{ 40: 'P' }, 40, 5],
    [{ 38: '1.5' }, 38, 5],
    [{ 111: 'x' }, 111, 6],
    [{ 44: '-1.00' }, 44, 5],
  ])('refuses %p naming tag %p with SessionRejectReason %p', (change, tag, reason) => {
    const parsed = parseNewOrder(fields({ ...order, ...change } as Record<number, string>), 'M1');
    expect(parsed.ok ? null : { tag: parsed.problem.tag, reason: parsed.problem.reason }).toEqual({ tag, reason });
  });

  it('maps cancel and replace, keeping absent replace fields absent', () => {
    expect(parseCancel(fields({ 11: 'c2', 41: 'c1' }), 'M1')).toEqual({ ok: true, value: { memberId: 'M1', clOrdId: 'c2', origClOrdId: 'c1' } });
    const replace = parseReplace(fields({ 11: 'c3', 41: 'c2', 44: '2501' }), 'M1');
    expect(replace.ok && replace.value).toEqual({ memberId: 'M1', clOrdId: 'c3', origClOrdId: 'c2', price: 250100 });
  });
});
