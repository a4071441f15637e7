import { makeBatch } from '../../../common/feed-protocol/testing/quote-factory';
import { BusDecoder, BusEncoder } from './quote-bus';

describe('market-data bus messages', () => {
  const encoder = new BusEncoder();
  const decoder = new BusDecoder();

  it('carries a batch of any size as feed frames, exactly', () => {
    for (const n of [1, 999, 1000, 1001, 2500]) {
      const quotes = makeBatch(n, n);
      const text = encoder.quotes({ epoch: 7, seq: n, publishedAt: 1_795_000_000_123 }, quotes);
      expect(decoder.decode(text)).toEqual({ kind: 'quotes', epoch: 7, seq: n, publishedAt: 1_795_000_000_123, quotes });
    }
  });

  it('carries the leader status', () => {
    expect(decoder.decode(encoder.status({ epoch: 3, seq: 9, publishedAt: 5 }, false, 1234.4))).toEqual({
      kind: 'status',
      epoch: 3,
      seq: 9,
      publishedAt: 5,
      feedUp: false,
      feedDownMs: 1234,
    });
  });

  it('counts and drops what it cannot read, never throws', () => {
    const good = encoder.quotes({ epoch: 1, seq: 1, publishedAt: 1 }, makeBatch(3));
    const before = decoder.rejected;
    expect(decoder.decode('hello')).toBeNull();
    expect(decoder.decode('Q1|x|1|1|AAAA')).toBeNull();
    const damaged = decoder.decode(good.slice(0, -12) + 'AAAAAAAAAAAA');
    expect(damaged).toMatchObject({ kind: 'quotes', quotes: [] });
    expect(decoder.rejected).toBe(before + 3);
  });
});
