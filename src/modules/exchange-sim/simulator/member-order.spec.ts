import type { NewOrderRequest } from '../venue.types';
import { MemberBook, MemberOrder } from './member-order';

describe('MemberOrder', () => {
  it('keeps the order as entered in a copy with one set of fields in one order, whatever object it came in', () => {
    const book = new MemberBook('M1');
    const plain: NewOrderRequest = { memberId: 'M1', clOrdId: 'A', clientAccount: 'X', instrumentToken: 1, side: 'BUY', orderType: 'LIMIT', validity: 'DAY', quantity: 1, price: 100 };
    // As the in-process gateway sends it: a spread, fields in another order, an explicit undefined.
    const spread = { ...{ price: 200, quantity: 2, validity: 'IOC', orderType: 'LIMIT', side: 'SELL', instrumentToken: 2, clientAccount: 'Y', clOrdId: 'B', triggerPrice: undefined }, memberId: 'M1' } as NewOrderRequest;
    const a = new MemberOrder(1, 'NSE-1', plain, book);
    const b = new MemberOrder(2, 'NSE-2', spread, book);
    const fields = ['memberId', 'clOrdId', 'clientAccount', 'instrumentToken', 'side', 'orderType', 'validity', 'quantity', 'price', 'triggerPrice', 'disclosedQuantity'];
    expect(Object.keys(a.request)).toEqual(fields);
    expect(Object.keys(b.request)).toEqual(fields);
    expect(b.request).not.toBe(spread);
    expect(b.request).toEqual({ ...spread, disclosedQuantity: undefined });
    expect([b.clOrdId, b.quantity, b.price, b.isBuy]).toEqual(['B', 2, 200, false]);
  });
});
