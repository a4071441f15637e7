import { fixPriceToPaise, fixQtyToInt, fixUtcTimestamp, paiseToFixPrice, parseFixUtcTimestamp } from './fix-values';

describe('FIX values', () => {
  it.each([
    ['2500.05', 250005],
    ['2500.5', 250050],
    ['2500', 250000],
    ['0.05', 5],
    ['100.500000', 10050],
    ['-1.10', -110],
  ])('reads price %p as %p paise without a float', (text, paise) => {
    expect(fixPriceToPaise(text)).toEqual({ ok: true, value: paise });
  });

  it.each([
    ['2500.001', 'range'],
    ['1e3', 'format'],
    ['25OO', 'format'],
    ['', 'format'],
    ['.5', 'format'],
    ['1,000.00', 'format'],
  ])('refuses price %p (%s)', (text, reason) => {
    expect(fixPriceToPaise(text)).toEqual({ ok: false, reason });
  });

  it('writes paise as rupees with exactly two places', () => {
    expect([250005, 250050, 5, 0, -110, 123456789012].map(paiseToFixPrice)).toEqual(['2500.05', '2500.50', '0.05', '0.00', '-1.10', '1234567890.12']);
    expect(() => paiseToFixPrice(1.5)).toThrow(RangeError);
  });

  it('round-trips every paise amount up to ₹100,000 exactly', () => {
    for (let paise = 0; paise <= 10_000_000; paise += 997) expect(fixPriceToPaise(paiseToFixPrice(paise))).toEqual({ ok: true, value: paise });
  });

  it('reads whole-share quantities only', () => {
    expect(fixQtyToInt('100')).toEqual({ ok: true, value: 100 });
    expect(fixQtyToInt('100.00')).toEqual({ ok: true, value: 100 });
    expect(fixQtyToInt('100.5')).toEqual({ ok: false, reason: 'range' });
    expect(fixQtyToInt('ten')).toEqual({ ok: false, reason: 'format' });
  });

  it('formats UTCTimestamp with milliseconds', () => {
    expect(fixUtcTimestamp(Date.UTC(2026, 0, 2, 3, 4, 5, 6))).toBe('20260102-03:04:05.006');
  });

  it('reads UTCTimestamp back to epoch ms, with or without milliseconds, and refuses non-dates', () => {
    const at = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
    expect(parseFixUtcTimestamp(fixUtcTimestamp(at))).toBe(at);
    expect(parseFixUtcTimestamp('20260102-03:04:05')).toBe(Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(parseFixUtcTimestamp('20260102-03:04:05.123456')).toBe(Date.UTC(2026, 0, 2, 3, 4, 5, 123));
    expect(['20260231-00:00:00', '20260102-24:00:00', '2026-01-02T03:04:05Z', ''].map(parseFixUtcTimestamp)).toEqual([undefined, undefined, undefined, undefined]);
  });
});
