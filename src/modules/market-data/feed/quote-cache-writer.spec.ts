import { makeQuote } from '../../../common/feed-protocol/testing/quote-factory';
import type { Instrument } from '../../instruments';
import { QuoteCacheWriter, type CacheEntry, type CacheKeys, type CacheSink } from './quote-cache-writer';

const instrument = (token: number) => ({ instrumentToken: token, exchange: 'NSE', tradingsymbol: `SYM${token}` }) as Instrument;

/** Remembers what was written per stock key; fails the writes it is told to. */
class RecordingSink implements CacheSink {
  readonly written = new Map<string, string>();
  failNextWrites = 0;

  async write(entries: readonly CacheEntry[]): Promise<void> {
    if (this.failNextWrites > 0) {
      this.failNextWrites--;
      throw new Error('cache unreachable');
    }
    for (const e of entries) this.written.set(e.stockKey, e.stock);
  }

  async touch<K extends CacheKeys>(entries: readonly K[]): Promise<K[]> {
    return entries.filter((e) => !this.written.has(e.stockKey));
  }
}

describe('QuoteCacheWriter', () => {
  it('writes every changed quote after a failed flush, the failed slice included', async () => {
    const sink = new RecordingSink();
    const errors: Error[] = [];
    const writer = new QuoteCacheWriter(sink, (err) => errors.push(err));
    const tokens = Array.from({ length: 600 }, (_, i) => i + 1); // more than one flush slice
    for (const t of tokens) writer.changed(makeQuote(t, { lastPrice: 90_000 }), instrument(t));
    await writer.flush(); // the keys exist, holding older quotes: a refresh would only extend those
    for (const t of tokens) writer.changed(makeQuote(t, { lastPrice: 100_000 + t }), instrument(t));

    sink.failNextWrites = 1;
    await writer.flush();
    expect(errors).toHaveLength(1);

    await writer.flush();
    for (const t of tokens) expect(JSON.parse(sink.written.get(`stock:NSE:SYM${t}`)!)).toMatchObject({ lastPrice: 100_000 + t });
  });

  it('writes the newest quote of an instrument that changed again while its write failed', async () => {
    const sink = new RecordingSink();
    const writer = new QuoteCacheWriter(sink, () => undefined);
    writer.changed(makeQuote(7, { lastPrice: 100_000 }), instrument(7));
    sink.failNextWrites = 1;
    await writer.flush();
    writer.changed(makeQuote(7, { lastPrice: 100_500 }), instrument(7));
    await writer.flush();
    expect(JSON.parse(sink.written.get('stock:NSE:SYM7')!)).toMatchObject({ lastPrice: 100_500 });
  });
});
