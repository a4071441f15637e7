import { canTransition, isAmendable, isTerminal, OrderStatus as S, restingStatus } from './order-status';

describe('order state machine', () => {
  it.each([
    [S.Received, S.OpenPending],
    [S.OpenPending, S.Open],
    [S.OpenPending, S.Complete],
    [S.Open, S.Open],
    [S.Open, S.CancelPending],
    [S.CancelPending, S.Cancelled],
    [S.CancelPending, S.Complete],
    [S.TriggerPending, S.Open],
    [S.ModifyPending, S.Open],
    [S.AmoReceived, S.Received],
  ])('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  it.each([
    [S.Complete, S.Open],
    [S.Cancelled, S.Open],
    [S.Rejected, S.Open],
    [S.Complete, S.Cancelled],
    [S.Received, S.Complete],
    [S.Open, S.OpenPending],
    [S.CancelPending, S.ModifyPending],
  ])('refuses %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
  });

  it('knows terminal and amendable statuses', () => {
    expect([S.Complete, S.Cancelled, S.Rejected].every(isTerminal)).toBe(true);
    expect(isTerminal(S.Open)).toBe(false);
    expect(isAmendable(S.Open)).toBe(true);
    expect(isAmendable(S.CancelPending)).toBe(false);
    expect(isAmendable(S.Complete)).toBe(false);
  });

  it('rests stop orders in TRIGGER PENDING until triggered', () => {
    expect(restingStatus('SL', false)).toBe(S.TriggerPending);
    expect(restingStatus('SL-M', true)).toBe(S.Open);
    expect(restingStatus('LIMIT', false)).toBe(S.Open);
  });
});
