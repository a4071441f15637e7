import { OrderRecovery } from './order-recovery';
import type { OrderUpdate } from './protocol';

const order = (id: string, status: string, filled = 0) => ({ order_id: id, status, filled_quantity: filled, pending_quantity: 10 - filled }) as OrderUpdate;

describe('OrderRecovery', () => {
  it('reports orders that are new or changed since they were last seen, oldest first', () => {
    const r = new OrderRecovery();
    r.baseline([order('5', 'OPEN'), order('3', 'COMPLETE', 10)]);
    expect(r.observe(order('5', 'OPEN', 4))).toBe(true);
    expect(r.observe(order('5', 'OPEN', 4))).toBe(false);
    const missed = r.missed([order('12', 'OPEN'), order('9', 'REJECTED'), order('5', 'COMPLETE', 10), order('3', 'COMPLETE', 10)]);
    expect(missed.map((o) => `${o.order_id}:${o.status}`)).toEqual(['5:COMPLETE', '9:REJECTED', '12:OPEN']);
    expect(r.lastOrderId).toBe('12');
    expect(r.missed([order('12', 'OPEN')])).toEqual([]);
  });
});
