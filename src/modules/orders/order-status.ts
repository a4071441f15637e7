/** Kite's order statuses, as clients display them. */
export const OrderStatus = {
  AmoReceived: 'AMO REQ RECEIVED',
  Received: 'PUT ORDER REQ RECEIVED',
  OpenPending: 'OPEN PENDING',
  Open: 'OPEN',
  TriggerPending: 'TRIGGER PENDING',
  ModifyPending: 'MODIFY PENDING',
  CancelPending: 'CANCEL PENDING',
  Complete: 'COMPLETE',
  Cancelled: 'CANCELLED',
  Rejected: 'REJECTED',
} as const;
export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];

const S = OrderStatus;
export const TERMINAL: ReadonlySet<OrderStatus> = new Set([S.Complete, S.Cancelled, S.Rejected]);

/** Every legal transition; anything else is a bug or an out-of-order message, and is refused. */
const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
  [S.AmoReceived]: [S.Received, S.Cancelled, S.Rejected, S.ModifyPending],
  [S.Received]: [S.OpenPending, S.Cancelled, S.Rejected],
  [S.OpenPending]: [S.Open, S.TriggerPending, S.CancelPending, S.Complete, S.Cancelled, S.Rejected],
  [S.Open]: [S.Open, S.ModifyPending, S.CancelPending, S.Complete, S.Cancelled, S.Rejected],
  [S.TriggerPending]: [S.Open, S.ModifyPending, S.CancelPending, S.Complete, S.Cancelled, S.Rejected],
  [S.ModifyPending]: [S.Open, S.TriggerPending, S.CancelPending, S.Complete, S.Cancelled, S.AmoReceived],
  [S.CancelPending]: [S.Open, S.TriggerPending, S.Complete, S.Cancelled],
  [S.Complete]: [],
  [S.Cancelled]: [],
  [S.Rejected]: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return NEXT[from].includes(to);
}

export function isTerminal(status: OrderStatus): boolean {
  return TERMINAL.has(status);
}

/** Statuses whose order a client may still modify or cancel. */
export function isAmendable(status: OrderStatus): boolean {
  return status === S.Open || status === S.TriggerPending || status === S.AmoReceived || status === S.Received || status === S.OpenPending;
}

/** The resting status for an acknowledged order: stop orders wait for their trigger. */
export function restingStatus(orderType: string, triggered: boolean): OrderStatus {
  return (orderType === 'SL' || orderType === 'SL-M') && !triggered ? S.TriggerPending : S.Open;
}
